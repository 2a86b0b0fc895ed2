import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type * as ClassesRepositoryModule from '../../src/modules/classes/classes.repository.js';
import { bearer, createUser, login, type Tokens } from '../factories/accounts.js';
import { addClassMember, createClass, createSchool } from '../factories/classes.js';
import { loadCompiled } from '../support/compiled.js';
import { query } from '../support/database-client.js';
import { requestJson } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const { ClassesRepository } = await loadCompiled<typeof ClassesRepositoryModule>(
  'src/modules/classes/classes.repository.ts',
);

interface ClassView {
  id: string;
  tenant_id: string;
  name: string;
  subject: string | null;
  grade: string | null;
  term: string | null;
  archived: boolean;
  created_by: string | null;
  created_at: string;
  updated_at: string;
  student_count: number;
  teacher_count: number;
  assistant_count: number;
  my_role: string | null;
  join_code?: string;
  error_code?: string;
  details?: { fields?: Array<{ field: string }> };
}
interface ClassPage {
  items: ClassView[];
  total: number;
  limit: number;
  offset: number;
  error_code?: string;
}

type School = Awaited<ReturnType<typeof createSchool>>;

const JOIN_CODE = /^[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{8}$/;

describe('classes', () => {
  let t: TestApp;
  let north: School;
  let south: School;
  let superAdmin: Tokens;

  const api = (path: string) => `${t.baseUrl}/api/v1${path}`;
  const call = <T = ClassView>(token: string, method: string, path: string, json?: unknown) =>
    requestJson<T>(api(path), { method, headers: bearer(token), json });
  const get = <T = ClassView>(token: string, path: string) => call<T>(token, 'GET', path);

  /** A class of `school` taught by its teacher, with its student as a member. */
  const taughtClass = (school: School, name?: string) =>
    createClass(t, {
      tenant: school.tenant,
      name,
      members: [
        { userId: school.teacher.user.id, role: 'teacher' },
        { userId: school.student.user.id, role: 'student' },
      ],
    });

  beforeAll(async () => {
    t = await startTestApp();
    north = await createSchool(t);
    south = await createSchool(t);
    superAdmin = await login(t, await createUser(t, { superAdmin: true }));
  });

  afterAll(async () => {
    await t.close();
  });

  describe('POST /classes', () => {
    it('should let a teacher make a class they then teach, with a fresh join code', async () => {
      const response = await call(north.teacher.tokens.access_token, 'POST', '/classes', {
        name: ' 3-B Science ',
        subject: 'Science',
        grade: '3',
        term: '2026-1',
      });
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({
        tenant_id: north.tenant,
        name: '3-B Science',
        subject: 'Science',
        grade: '3',
        term: '2026-1',
        archived: false,
        created_by: north.teacher.user.id,
        student_count: 0,
        teacher_count: 1,
        assistant_count: 0,
        my_role: 'teacher',
      });
      expect(response.body.join_code).toMatch(JOIN_CODE);
      const members = await query(
        t.databaseUrl,
        'SELECT user_id, role FROM class_members WHERE class_id = $1',
        [response.body.id],
      );
      expect(members).toEqual([{ user_id: north.teacher.user.id, role: 'teacher' }]);
    });

    it('should let an admin make a class without becoming its member', async () => {
      const response = await call(north.admin.tokens.access_token, 'POST', '/classes', {
        name: 'Homeroom',
      });
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({ my_role: null, teacher_count: 0, subject: null });
      expect(response.body.join_code).toMatch(JOIN_CODE);
    });

    it('should make a super admin name the tenant', async () => {
      const missing = await call(superAdmin.access_token, 'POST', '/classes', { name: 'X' });
      expect(missing.status).toBe(400);
      const made = await call(superAdmin.access_token, 'POST', '/classes', {
        name: 'Platform made',
        tenant_id: south.tenant,
      });
      expect(made.status).toBe(201);
      expect(made.body.tenant_id).toBe(south.tenant);
    });

    it('should refuse students (403) and another tenant named by an admin (403)', async () => {
      const byStudent = await call(north.student.tokens.access_token, 'POST', '/classes', {
        name: 'Mine',
      });
      expect(byStudent.status).toBe(403);
      const crossTenant = await call(north.admin.tokens.access_token, 'POST', '/classes', {
        name: 'Theirs',
        tenant_id: south.tenant,
      });
      expect(crossTenant.status).toBe(403);
    });
  });

  describe('GET /classes', () => {
    it("should list all of the tenant's classes for an admin, filtered and paged", async () => {
      const school = await createSchool(t);
      const algebra = await taughtClass(school, 'Algebra');
      await createClass(t, { tenant: school.tenant, name: 'Biology', subject: 'Science' });
      await createClass(t, { tenant: school.tenant, name: 'Chemistry', subject: 'Science' });
      await createClass(t, { tenant: school.tenant, name: 'Old art', archived: true });
      await taughtClass(south, 'Southern algebra');

      const all = await get<ClassPage>(school.admin.tokens.access_token, '/classes');
      expect(all.status).toBe(200);
      expect(all.body).toMatchObject({ total: 3, limit: 20, offset: 0 });
      expect(all.body.items.map((c) => c.name)).toEqual(['Algebra', 'Biology', 'Chemistry']);
      expect(all.body.items[0]).toMatchObject({
        id: algebra.id,
        student_count: 1,
        teacher_count: 1,
        join_code: algebra.joinCode,
      });

      const science = await get<ClassPage>(school.admin.tokens.access_token, '/classes?q=SCIEN');
      expect(science.body.items.map((c) => c.name)).toEqual(['Biology', 'Chemistry']);
      const wildcard = await get<ClassPage>(school.admin.tokens.access_token, '/classes?q=%25');
      expect(wildcard.body.total).toBe(0);
      const page = await get<ClassPage>(
        school.admin.tokens.access_token,
        '/classes?limit=1&offset=1',
      );
      expect(page.body).toMatchObject({ total: 3, limit: 1, offset: 1 });
      expect(page.body.items.map((c) => c.name)).toEqual(['Biology']);
      const archived = await get<ClassPage>(
        school.admin.tokens.access_token,
        '/classes?archived=true',
      );
      expect(archived.body.items.map((c) => c.name)).toEqual(['Old art']);
    });

    it('should list only their own classes for teachers and students, without codes for students', async () => {
      const school = await createSchool(t);
      const mine = await taughtClass(school, 'Mine');
      await createClass(t, { tenant: school.tenant, name: 'Not mine' });

      const asTeacher = await get<ClassPage>(school.teacher.tokens.access_token, '/classes');
      expect(asTeacher.body.items.map((c) => c.id)).toEqual([mine.id]);
      expect(asTeacher.body.items[0]?.join_code).toBe(mine.joinCode);
      const asStudent = await get<ClassPage>(school.student.tokens.access_token, '/classes');
      expect(asStudent.body.total).toBe(1);
      expect(asStudent.body.items[0]).toMatchObject({ id: mine.id, my_role: 'student' });
      expect(asStudent.body.items[0]).not.toHaveProperty('join_code');
      const asOtherStudent = await get<ClassPage>(
        school.otherStudent.tokens.access_token,
        '/classes',
      );
      expect(asOtherStudent.body.total).toBe(0);
    });

    it("should let a super admin read one tenant, and refuse an admin another tenant's (403)", async () => {
      const southern = await taughtClass(south, 'Visible to the platform');
      const bySuperAdmin = await get<ClassPage>(
        superAdmin.access_token,
        `/classes?tenant_id=${south.tenant}&limit=100`,
      );
      expect(bySuperAdmin.body.items.map((c) => c.id)).toContain(southern.id);
      expect(bySuperAdmin.body.items.every((c) => c.tenant_id === south.tenant)).toBe(true);
      const crossTenant = await get(
        north.admin.tokens.access_token,
        `/classes?tenant_id=${south.tenant}`,
      );
      expect(crossTenant.status).toBe(403);
      const northList = await get<ClassPage>(north.admin.tokens.access_token, '/classes?limit=100');
      expect(northList.body.items.map((c) => c.id)).not.toContain(southern.id);
    });

    it('should refuse a signed-in user without a school (403) and no token (401)', async () => {
      const loner = await login(t, await createUser(t));
      expect((await get(loner.access_token, '/classes')).status).toBe(403);
      expect((await requestJson(api('/classes'))).status).toBe(401);
    });
  });

  describe('GET /classes/:id', () => {
    it('should show a class to its student without the join code, and to staff with it', async () => {
      const klass = await taughtClass(north);
      const asStudent = await get(north.student.tokens.access_token, `/classes/${klass.id}`);
      expect(asStudent.status).toBe(200);
      expect(asStudent.body).toMatchObject({ id: klass.id, my_role: 'student' });
      expect(asStudent.body).not.toHaveProperty('join_code');
      const asTeacher = await get(north.teacher.tokens.access_token, `/classes/${klass.id}`);
      expect(asTeacher.body.join_code).toBe(klass.joinCode);
      const asAdmin = await get(north.admin.tokens.access_token, `/classes/${klass.id}`);
      expect(asAdmin.body).toMatchObject({ join_code: klass.joinCode, my_role: null });
      const asSuperAdmin = await get(superAdmin.access_token, `/classes/${klass.id}`);
      expect(asSuperAdmin.body.join_code).toBe(klass.joinCode);
    });

    it('should refuse non-members of the school (403) and other tenants (404)', async () => {
      const klass = await taughtClass(north);
      const byStudent = await get(north.otherStudent.tokens.access_token, `/classes/${klass.id}`);
      expect(byStudent.status).toBe(403);
      expect(byStudent.body.error_code).toBe('AUTH_FORBIDDEN');
      const byTeacher = await get(north.otherTeacher.tokens.access_token, `/classes/${klass.id}`);
      expect(byTeacher.status).toBe(403);
      const crossTenant = await get(south.admin.tokens.access_token, `/classes/${klass.id}`);
      expect(crossTenant.status).toBe(404);
      expect(crossTenant.body.error_code).toBe('CLASS_NOT_FOUND');
      const missing = await get(north.admin.tokens.access_token, `/classes/${randomUUID()}`);
      expect(missing.status).toBe(404);
    });
  });

  describe('PATCH /classes/:id', () => {
    it('should change the fields sent, clear optional ones with null, and archive', async () => {
      const klass = await createClass(t, {
        tenant: north.tenant,
        subject: 'Music',
        members: [{ userId: north.teacher.user.id, role: 'teacher' }],
      });
      const renamed = await call(
        north.teacher.tokens.access_token,
        'PATCH',
        `/classes/${klass.id}`,
        {
          name: 'Choir',
          subject: null,
          grade: '5',
        },
      );
      expect(renamed.status).toBe(200);
      expect(renamed.body).toMatchObject({
        name: 'Choir',
        subject: null,
        grade: '5',
        archived: false,
      });
      const archived = await call(
        north.admin.tokens.access_token,
        'PATCH',
        `/classes/${klass.id}`,
        {
          archived: true,
        },
      );
      expect(archived.body).toMatchObject({ name: 'Choir', grade: '5', archived: true });
    });

    it('should let an assistant manage the class, but refuse students, other teachers (403) and other tenants (404)', async () => {
      const klass = await taughtClass(north);
      await addClassMember(t, klass.id, north.otherTeacher.user.id, 'assistant');
      const byAssistant = await call(
        north.otherTeacher.tokens.access_token,
        'PATCH',
        `/classes/${klass.id}`,
        { term: '2026-2' },
      );
      expect(byAssistant.status).toBe(200);
      const other = await createClass(t, { tenant: north.tenant });
      const byOtherTeacher = await call(
        north.teacher.tokens.access_token,
        'PATCH',
        `/classes/${other.id}`,
        { name: 'Taken over' },
      );
      expect(byOtherTeacher.status).toBe(403);
      expect(byOtherTeacher.body.error_code).toBe('AUTH_FORBIDDEN');
      const byStudent = await call(
        north.student.tokens.access_token,
        'PATCH',
        `/classes/${klass.id}`,
        {
          name: 'Ours now',
        },
      );
      expect(byStudent.status).toBe(403);
      const crossTenant = await call(
        south.admin.tokens.access_token,
        'PATCH',
        `/classes/${klass.id}`,
        {
          name: 'Ours now',
        },
      );
      expect(crossTenant.status).toBe(404);
    });
  });

  describe('DELETE /classes/:id', () => {
    it('should delete the class with its memberships', async () => {
      const klass = await taughtClass(north);
      const deleted = await call(
        north.teacher.tokens.access_token,
        'DELETE',
        `/classes/${klass.id}`,
      );
      expect(deleted.status).toBe(204);
      expect((await get(north.admin.tokens.access_token, `/classes/${klass.id}`)).status).toBe(404);
      const members = await query(
        t.databaseUrl,
        'SELECT 1 FROM class_members WHERE class_id = $1',
        [klass.id],
      );
      expect(members).toEqual([]);
    });

    it('should refuse students, other teachers (403) and other tenants (404)', async () => {
      const klass = await taughtClass(north);
      const byStudent = await call(
        north.student.tokens.access_token,
        'DELETE',
        `/classes/${klass.id}`,
      );
      expect(byStudent.status).toBe(403);
      const byOtherTeacher = await call(
        north.otherTeacher.tokens.access_token,
        'DELETE',
        `/classes/${klass.id}`,
      );
      expect(byOtherTeacher.status).toBe(403);
      const crossTenant = await call(
        south.admin.tokens.access_token,
        'DELETE',
        `/classes/${klass.id}`,
      );
      expect(crossTenant.status).toBe(404);
      expect((await get(north.admin.tokens.access_token, `/classes/${klass.id}`)).status).toBe(200);
    });
  });

  describe('POST /classes/:id/join-code', () => {
    it('should draw a new code; the old one stops working', async () => {
      const klass = await taughtClass(north);
      const rotated = await call(
        north.teacher.tokens.access_token,
        'POST',
        `/classes/${klass.id}/join-code`,
      );
      expect(rotated.status).toBe(200);
      expect(rotated.body.join_code).toMatch(JOIN_CODE);
      expect(rotated.body.join_code).not.toBe(klass.joinCode);
      const oldCode = await call(north.otherStudent.tokens.access_token, 'POST', '/classes/join', {
        code: klass.joinCode,
      });
      expect(oldCode.status).toBe(404);
    });

    it('should refuse students, other teachers (403) and other tenants (404)', async () => {
      const klass = await taughtClass(north);
      const path = `/classes/${klass.id}/join-code`;
      expect((await call(north.student.tokens.access_token, 'POST', path)).status).toBe(403);
      expect((await call(north.otherTeacher.tokens.access_token, 'POST', path)).status).toBe(403);
      expect((await call(south.admin.tokens.access_token, 'POST', path)).status).toBe(404);
    });
  });

  describe('POST /classes/join', () => {
    it('should let a student join an open class of their school by its code', async () => {
      const klass = await taughtClass(north);
      const spaced = `${klass.joinCode.slice(0, 4)} ${klass.joinCode.slice(4)}`.toLowerCase();
      const joined = await call(north.otherStudent.tokens.access_token, 'POST', '/classes/join', {
        code: spaced,
      });
      expect(joined.status).toBe(201);
      expect(joined.body).toMatchObject({ id: klass.id, my_role: 'student', student_count: 2 });
      expect(joined.body).not.toHaveProperty('join_code');
      const again = await call(north.otherStudent.tokens.access_token, 'POST', '/classes/join', {
        code: klass.joinCode,
      });
      expect(again.status).toBe(409);
      expect(again.body.error_code).toBe('CLASS_MEMBER_EXISTS');
    });

    it('should answer 404 for unknown codes, archived classes and classes of other tenants', async () => {
      const archived = await createClass(t, { tenant: north.tenant, archived: true });
      const southern = await createClass(t, { tenant: south.tenant });
      for (const code of ['ZZZZ9999', archived.joinCode, southern.joinCode]) {
        const response = await call(north.student.tokens.access_token, 'POST', '/classes/join', {
          code,
        });
        expect([code, response.status, response.body.error_code]).toEqual([
          code,
          404,
          'CLASS_JOIN_CODE_INVALID',
        ]);
      }
    });

    it('should refuse teachers and admins (403): students join by code', async () => {
      const klass = await createClass(t, { tenant: north.tenant });
      for (const tokens of [north.teacher.tokens, north.admin.tokens]) {
        const response = await call(tokens.access_token, 'POST', '/classes/join', {
          code: klass.joinCode,
        });
        expect(response.status).toBe(403);
      }
    });
  });

  describe('GET /users/me/classes', () => {
    it("should list the caller's classes in their current school with their role", async () => {
      const school = await createSchool(t);
      const taught = await taughtClass(school, 'Taught');
      const assisted = await createClass(t, {
        tenant: school.tenant,
        name: 'Assisted',
        members: [{ userId: school.teacher.user.id, role: 'assistant' }],
      });
      await createClass(t, {
        tenant: school.tenant,
        name: 'Archived',
        archived: true,
        members: [{ userId: school.teacher.user.id, role: 'teacher' }],
      });
      await createClass(t, { tenant: school.tenant, name: 'Someone else' });

      const teacher = await get<ClassView[]>(
        school.teacher.tokens.access_token,
        '/users/me/classes',
      );
      expect(teacher.status).toBe(200);
      expect(teacher.body.map((c) => [c.name, c.my_role, c.join_code])).toEqual([
        ['Assisted', 'assistant', assisted.joinCode],
        ['Taught', 'teacher', taught.joinCode],
      ]);
      const archived = await get<ClassView[]>(
        school.teacher.tokens.access_token,
        '/users/me/classes?archived=true',
      );
      expect(archived.body.map((c) => c.name)).toEqual(['Archived']);
      const student = await get<ClassView[]>(
        school.student.tokens.access_token,
        '/users/me/classes',
      );
      expect(student.body).toHaveLength(1);
      expect(student.body[0]).toMatchObject({ id: taught.id, my_role: 'student' });
      expect(student.body[0]).not.toHaveProperty('join_code');
    });

    it('should show nothing of another tenant, and refuse callers without a school (403)', async () => {
      const klass = await taughtClass(north);
      // The same person, also a student of the south school, signed in there.
      await query(
        t.databaseUrl,
        `INSERT INTO memberships (user_id, tenant_id, role) VALUES ($1, $2, 'student')`,
        [north.student.user.id, south.tenant],
      );
      const inSouth = await login(t, north.student.user, { tenant_id: south.tenant });
      const southView = await get<ClassView[]>(inSouth.access_token, '/users/me/classes');
      expect(southView.status).toBe(200);
      expect(southView.body.map((c) => c.id)).not.toContain(klass.id);
      const loner = await login(t, await createUser(t));
      expect((await get(loner.access_token, '/users/me/classes')).status).toBe(403);
      expect((await requestJson(api('/users/me/classes'))).status).toBe(401);
      // users/me itself still belongs to the users module
      expect((await get(north.student.tokens.access_token, '/users/me')).status).toBe(200);
    });
  });

  describe('bad input', () => {
    it.each([
      ['GET', '/classes/not-a-uuid', undefined],
      ['PATCH', '/classes/not-a-uuid', { name: 'x' }],
      ['DELETE', '/classes/not-a-uuid', undefined],
      ['GET', '/classes?limit=0', undefined],
      ['GET', '/classes?limit=101', undefined],
      ['GET', '/classes?offset=-1', undefined],
      ['GET', '/classes?archived=maybe', undefined],
      ['GET', '/classes?q=', undefined],
      ['GET', '/classes?tenant_id=NOT%20A%20TENANT', undefined],
      ['GET', '/users/me/classes?archived=yes', undefined],
      ['POST', '/classes', {}],
      ['POST', '/classes', { name: '' }],
      ['POST', '/classes', { name: '   ' }],
      ['POST', '/classes', { name: 42 }],
      ['POST', '/classes', { name: 'x'.repeat(201) }],
      ['POST', '/classes', { name: 'Ok', subject: 'x'.repeat(101) }],
      ['POST', '/classes', { name: 'Ok', join_code: 'MINE1234' }],
      ['POST', '/classes', ['not', 'an', 'object']],
      ['POST', '/classes/join', {}],
      ['POST', '/classes/join', { code: '' }],
      ['POST', '/classes/join', { code: 'no-dashes!' }],
      ['POST', '/classes/join', { code: 12345678 }],
    ])('should answer %s %s %j with the 400 envelope', async (method, path, json) => {
      const token =
        path === '/classes/join'
          ? north.student.tokens.access_token
          : north.admin.tokens.access_token;
      const response = await call(token, method, path, json);
      expect(response.status).toBe(400);
      expect(Object.keys(response.body).sort()).toEqual([
        'details',
        'error_code',
        'message',
        'request_id',
        'timestamp',
      ]);
    });

    it.each([
      [{}],
      [{ name: null }],
      [{ name: '' }],
      [{ archived: 'yes' }],
      [{ grade: 3 }],
      [{ term: 'x'.repeat(33) }],
      [{ tenant_id: 'other' }],
    ])('should refuse PATCH /classes/:id with %j (400)', async (json) => {
      const klass = await createClass(t, { tenant: north.tenant });
      const response = await call(
        north.admin.tokens.access_token,
        'PATCH',
        `/classes/${klass.id}`,
        json,
      );
      expect(response.status).toBe(400);
      expect(response.body.error_code).toBe('COMMON_VALIDATION_FAILED');
    });

    it('should name the id that is not a UUID, and the tenant-id format', async () => {
      const token = north.admin.tokens.access_token;
      const badId = await call(token, 'GET', '/classes/not-a-uuid');
      expect(badId.body).toMatchObject({
        error_code: 'COMMON_VALIDATION_FAILED',
        details: { fields: [{ field: 'id', errors: ['id must be a UUID'] }] },
      });
      const badTenant = await call(token, 'GET', '/classes?tenant_id=NOT%20A%20TENANT');
      expect(badTenant.body).toMatchObject({
        error_code: 'COMMON_VALIDATION_FAILED',
        details: {
          fields: [
            {
              field: 'tenant_id',
              errors: [expect.stringContaining('tenant_id must be a tenant id: 2–63 lower-case')],
            },
          ],
        },
      });
    });
  });

  describe('ClassesRepository.pageWithStats', () => {
    it("should page a tenant's classes, newest first, with creator and participant counts", async () => {
      const school = await createSchool(t);
      const made = await call(school.teacher.tokens.access_token, 'POST', '/classes', {
        name: 'Newest',
      });
      await addClassMember(t, made.body.id, school.student.user.id, 'student');
      const older = await createClass(t, { tenant: school.tenant, archived: true });
      await query(
        t.databaseUrl,
        `UPDATE classes SET created_at = now() - interval '1 day' WHERE id = $1`,
        [older.id],
      );
      const repository = t.app.get(ClassesRepository);
      const page = await repository.pageWithStats(school.tenant, { limit: 1, offset: 0 });
      expect(page.total).toBe(2);
      expect(page.items).toEqual([
        expect.objectContaining({
          id: made.body.id,
          created_by: school.teacher.user.id,
          participant_count: 2,
          student_count: 1,
          teacher_count: 1,
        }),
      ]);
      // Dates come from the app's realm, so compare their text rather than their class.
      expect(page.items[0]?.created_at.toISOString()).toBe(made.body.created_at);
      const next = await repository.pageWithStats(school.tenant, { limit: 1, offset: 1 });
      expect(next.items.map((c) => [c.id, c.participant_count, c.archived])).toEqual([
        [older.id, 0, true],
      ]);
    });
  });
});
