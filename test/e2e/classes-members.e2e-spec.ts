import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, createUser } from '../factories/accounts.js';
import { addClassMember, createClass, createSchool } from '../factories/classes.js';
import { query } from '../support/database-client.js';
import { requestJson, waitFor } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

interface Member {
  user_id: string;
  full_name: string;
  email: string | null;
  username: string | null;
  role: string;
  joined_at: string;
  error_code?: string;
}

interface AuditRow {
  actor_id: string | null;
  action: string;
  resource_type: string | null;
  resource_id: string | null;
  outcome: string;
  status_code: number;
  tenant_id: string | null;
  metadata: { body: Record<string, unknown> | null; params: Record<string, string> };
}

type School = Awaited<ReturnType<typeof createSchool>>;

describe('class members', () => {
  let t: TestApp;
  let north: School;
  let south: School;

  const api = (path: string) => `${t.baseUrl}/api/v1${path}`;
  const call = <T = Member>(token: string, method: string, path: string, json?: unknown) =>
    requestJson<T & { error_code?: string }>(api(path), { method, headers: bearer(token), json });

  const taughtClass = () =>
    createClass(t, {
      tenant: north.tenant,
      members: [{ userId: north.teacher.user.id, role: 'teacher' }],
    });

  const auditRowFor = (requestId: string) =>
    waitFor(async () => {
      const rows = await query<AuditRow>(
        t.databaseUrl,
        'SELECT * FROM audit_logs WHERE request_id = $1',
        [requestId],
      );
      return rows[0];
    });

  beforeAll(async () => {
    t = await startTestApp();
    north = await createSchool(t);
    south = await createSchool(t);
  });

  afterAll(async () => {
    await t.close();
  });

  it('should assign students and staff, list them, and take them out again', async () => {
    const klass = await taughtClass();
    const teacher = north.teacher.tokens.access_token;
    const added = await call(teacher, 'POST', `/classes/${klass.id}/members`, {
      user_id: north.student.user.id,
      role: 'student',
    });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({
      user_id: north.student.user.id,
      email: north.student.user.email,
      full_name: 'Test Person',
      role: 'student',
    });
    const assistant = await call(teacher, 'POST', `/classes/${klass.id}/members`, {
      user_id: north.otherTeacher.user.id,
      role: 'assistant',
    });
    expect(assistant.status).toBe(201);

    const listed = await call<Member[]>(teacher, 'GET', `/classes/${klass.id}/members`);
    expect(listed.status).toBe(200);
    expect(listed.body.map((m) => [m.user_id, m.role])).toEqual([
      [north.teacher.user.id, 'teacher'],
      [north.otherTeacher.user.id, 'assistant'],
      [north.student.user.id, 'student'],
    ]);
    // The assistant now manages the class too.
    const byAssistant = await call<Member[]>(
      north.otherTeacher.tokens.access_token,
      'GET',
      `/classes/${klass.id}/members`,
    );
    expect(byAssistant.status).toBe(200);

    const removed = await call(
      north.admin.tokens.access_token,
      'DELETE',
      `/classes/${klass.id}/members/${north.student.user.id}`,
    );
    expect(removed.status).toBe(204);
    const again = await call(
      north.admin.tokens.access_token,
      'DELETE',
      `/classes/${klass.id}/members/${north.student.user.id}`,
    );
    expect(again.status).toBe(404);
    expect(again.body.error_code).toBe('CLASS_MEMBER_NOT_FOUND');
  });

  it('should refuse assigning someone twice (409)', async () => {
    const klass = await taughtClass();
    const assign = () =>
      call(north.admin.tokens.access_token, 'POST', `/classes/${klass.id}/members`, {
        user_id: north.otherStudent.user.id,
        role: 'student',
      });
    expect((await assign()).status).toBe(201);
    const twice = await assign();
    expect(twice.status).toBe(409);
    expect(twice.body.error_code).toBe('CLASS_MEMBER_EXISTS');
  });

  it('should answer 404 for a user of another tenant, an unknown or a suspended one', async () => {
    const klass = await taughtClass();
    const suspended = await createUser(t, { tenant: north.tenant, role: 'student' });
    await query(t.databaseUrl, `UPDATE memberships SET status = 'suspended' WHERE user_id = $1`, [
      suspended.id,
    ]);
    for (const userId of [south.student.user.id, randomUUID(), suspended.id]) {
      const response = await call(
        north.teacher.tokens.access_token,
        'POST',
        `/classes/${klass.id}/members`,
        { user_id: userId, role: 'student' },
      );
      expect([userId, response.status, response.body.error_code]).toEqual([
        userId,
        404,
        'CLASS_MEMBER_USER_NOT_FOUND',
      ]);
    }
  });

  it('should refuse making a student of the school a teacher or assistant (409)', async () => {
    const klass = await taughtClass();
    for (const role of ['teacher', 'assistant']) {
      const response = await call(
        north.teacher.tokens.access_token,
        'POST',
        `/classes/${klass.id}/members`,
        { user_id: north.student.user.id, role },
      );
      expect(response.status).toBe(409);
      expect(response.body.error_code).toBe('CLASS_MEMBER_ROLE_NOT_ALLOWED');
    }
  });

  it.each([
    ['GET', ''],
    ['POST', ''],
    ['DELETE', '/:student'],
  ])(
    'should refuse %s /classes/:id/members%s to students and other teachers (403), and other tenants (404)',
    async (method, suffix) => {
      const klass = await taughtClass();
      await addClassMember(t, klass.id, north.student.user.id, 'student');
      const path = `/classes/${klass.id}/members${suffix.replace(':student', north.student.user.id)}`;
      const json =
        method === 'POST' ? { user_id: north.otherStudent.user.id, role: 'student' } : undefined;
      for (const tokens of [north.student.tokens, north.otherTeacher.tokens]) {
        const refused = await call(tokens.access_token, method, path, json);
        expect(refused.status).toBe(403);
      }
      const crossTenant = await call(south.admin.tokens.access_token, method, path, json);
      expect(crossTenant.status).toBe(404);
      expect(crossTenant.body.error_code).toBe('CLASS_NOT_FOUND');
      const missing = await call(
        north.admin.tokens.access_token,
        method,
        `/classes/${randomUUID()}/members${suffix.replace(':student', north.student.user.id)}`,
        json,
      );
      expect(missing.status).toBe(404);
    },
  );

  it('should record assignments and removals in the audit trail', async () => {
    const klass = await taughtClass();
    const added = await call(
      north.teacher.tokens.access_token,
      'POST',
      `/classes/${klass.id}/members`,
      { user_id: north.otherStudent.user.id, role: 'student' },
    );
    expect(added.status).toBe(201);
    const addition = await auditRowFor(added.headers.get('x-request-id') ?? '');
    expect(addition).toMatchObject({
      actor_id: north.teacher.user.id,
      tenant_id: north.tenant,
      action: 'class.member_added',
      resource_type: 'class',
      resource_id: klass.id,
      outcome: 'success',
      status_code: 201,
    });
    expect(addition.metadata.body).toEqual({
      user_id: north.otherStudent.user.id,
      role: 'student',
    });

    const refused = await call(
      north.teacher.tokens.access_token,
      'POST',
      `/classes/${klass.id}/members`,
      { user_id: north.otherStudent.user.id, role: 'student' },
    );
    const refusal = await auditRowFor(refused.headers.get('x-request-id') ?? '');
    expect(refusal).toMatchObject({
      action: 'class.member_added',
      outcome: 'failure',
      status_code: 409,
    });

    const removed = await call(
      north.teacher.tokens.access_token,
      'DELETE',
      `/classes/${klass.id}/members/${north.otherStudent.user.id}`,
    );
    const removal = await auditRowFor(removed.headers.get('x-request-id') ?? '');
    expect(removal).toMatchObject({
      action: 'class.member_removed',
      resource_id: klass.id,
      outcome: 'success',
    });
    expect(removal.metadata.params).toMatchObject({ userId: north.otherStudent.user.id });
  });

  it.each([
    ['POST', '/classes/not-a-uuid/members', { user_id: randomUUID(), role: 'student' }],
    ['GET', '/classes/not-a-uuid/members', undefined],
    ['DELETE', `/classes/${randomUUID()}/members/not-a-uuid`, undefined],
    ['POST', '/classes/:id/members', {}],
    ['POST', '/classes/:id/members', { user_id: 'nobody', role: 'student' }],
    ['POST', '/classes/:id/members', { user_id: randomUUID(), role: 'owner' }],
    ['POST', '/classes/:id/members', { user_id: randomUUID(), role: 'student', extra: 1 }],
    ['POST', '/classes/:id/members', 'just a string'],
  ])('should answer %s %s %j with the 400 envelope', async (method, path, json) => {
    const klass = await taughtClass();
    const response = await call(
      north.admin.tokens.access_token,
      method,
      path.replace(':id', klass.id),
      json,
    );
    expect(response.status).toBe(400);
    // ids refused by ParseUUIDPipe carry COMMON_BAD_REQUEST, bodies COMMON_VALIDATION_FAILED
    expect(response.body).toMatchObject({
      error_code: expect.stringMatching(/^COMMON_(VALIDATION_FAILED|BAD_REQUEST)$/),
      request_id: expect.any(String),
    });
    expect(response.body).toHaveProperty('details');
  });
});
