import { randomBytes } from 'node:crypto';
import { query } from '../support/database-client.js';
import type { TestApp } from '../support/test-app.js';
import { createTenant, createUser, login, type TestUser, type Tokens } from './accounts.js';

export type ClassRole = 'student' | 'teacher' | 'assistant';

/** A join code nobody else in the run uses (the app's own codes are 8 characters). */
export function uniqueJoinCode(): string {
  return `T${randomBytes(5).toString('hex').toUpperCase()}`;
}

/** A class written straight to the database, with its members. */
export async function createClass(
  t: TestApp,
  options: {
    tenant: string;
    name?: string;
    subject?: string | null;
    joinCode?: string;
    archived?: boolean;
    members?: Array<{ userId: string; role: ClassRole }>;
  },
): Promise<{ id: string; joinCode: string }> {
  const joinCode = options.joinCode ?? uniqueJoinCode();
  const [row] = await query<{ id: string }>(
    t.databaseUrl,
    `INSERT INTO classes (tenant_id, name, subject, join_code, archived)
     VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [
      options.tenant,
      options.name ?? `Class ${joinCode}`,
      options.subject ?? null,
      joinCode,
      options.archived ?? false,
    ],
  );
  if (!row) {
    throw new Error('class insert returned no row');
  }
  for (const member of options.members ?? []) {
    await addClassMember(t, row.id, member.userId, member.role);
  }
  return { id: row.id, joinCode };
}

export async function addClassMember(
  t: TestApp,
  classId: string,
  userId: string,
  role: ClassRole,
): Promise<void> {
  await query(
    t.databaseUrl,
    `INSERT INTO class_members (class_id, user_id, role) VALUES ($1, $2, $3)`,
    [classId, userId, role],
  );
}

export interface SchoolMember {
  user: TestUser;
  tokens: Tokens;
}

/** A school with one admin, two teachers and two students, all signed in. */
export async function createSchool(t: TestApp): Promise<{
  tenant: string;
  admin: SchoolMember;
  teacher: SchoolMember;
  otherTeacher: SchoolMember;
  student: SchoolMember;
  otherStudent: SchoolMember;
}> {
  const tenant = await createTenant(t);
  const member = async (role: 'student' | 'teacher' | 'admin'): Promise<SchoolMember> => {
    const user = await createUser(t, { tenant, role });
    return { user, tokens: await login(t, user) };
  };
  return {
    tenant,
    admin: await member('admin'),
    teacher: await member('teacher'),
    otherTeacher: await member('teacher'),
    student: await member('student'),
    otherStudent: await member('student'),
  };
}
