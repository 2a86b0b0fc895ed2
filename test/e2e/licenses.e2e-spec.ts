import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, createUser, login, type Tokens } from '../factories/accounts.js';
import { createClass, createSchool } from '../factories/classes.js';
import {
  createLicense,
  seatCounts,
  seedStudents,
  type LicenseView,
} from '../factories/licenses.js';
import { market, marketEnv } from '../factories/market.js';
import { query } from '../support/database-client.js';
import { requestJson, waitFor } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

interface ErrorView {
  error_code?: string;
  details?: Record<string, unknown> & { fields?: Array<{ field: string }> };
}
interface SeatView {
  license_id: string;
  user_id: string;
  how: string;
  assigned_by: string | null;
}
interface AssignmentView extends ErrorView {
  assigned: number;
  already_assigned: number;
  seats: SeatView[];
  license: LicenseView;
}
interface SeatPage extends ErrorView {
  items: Array<SeatView & { full_name: string; classes: Array<{ id: string; name: string }> }>;
  total: number;
}

type School = Awaited<ReturnType<typeof createSchool>>;

const DAY_MS = 24 * 3600 * 1000;

describe('licenses', () => {
  let t: TestApp;
  let north: School;
  let south: School;
  let superAdmin: Tokens;
  let superAdminId: string;

  const api = (path: string) => `${t.baseUrl}/api/v1${path}`;
  const call = <T = LicenseView & ErrorView>(
    token: string,
    method: string,
    path: string,
    json?: unknown,
  ) => requestJson<T>(api(path), { method, headers: bearer(token), json });
  const assign = (token: string, licenseId: string, json: unknown) =>
    call<AssignmentView>(token, 'POST', `/licenses/${licenseId}/seats`, json);
  const setSchool = (tenant: string, config: Record<string, unknown>) =>
    market(t, 'PUT', `/mt/tenant/${tenant}/settings`, { config });

  beforeAll(async () => {
    t = await startTestApp({ env: marketEnv });
    north = await createSchool(t);
    south = await createSchool(t);
    const admin = await createUser(t, { superAdmin: true });
    superAdminId = admin.id;
    superAdmin = await login(t, admin);
  });

  afterAll(async () => {
    await t.close();
  });

  describe('POST /licenses', () => {
    it('should let a super admin make a manual license for a school', async () => {
      const expires = new Date(Date.now() + 90 * DAY_MS).toISOString();
      const response = await call(superAdmin.access_token, 'POST', '/licenses', {
        tenant_id: north.tenant,
        total_seats: 25,
        expires_at: expires,
      });
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({
        tenant_id: north.tenant,
        total_seats: 25,
        used_seats: 0,
        available_seats: 25,
        status: 'active',
        source: 'manual',
        expires_at: expires,
      });
      // Audit records are written in batches off the request path.
      const audited = await waitFor(async () => {
        const rows = await query(
          t.databaseUrl,
          `SELECT actor_id, tenant_id FROM audit_logs WHERE action = 'license.created' AND resource_id = $1`,
          [response.body.id],
        );
        return rows.length > 0 ? rows : undefined;
      });
      expect(audited).toEqual([{ actor_id: superAdminId, tenant_id: north.tenant }]);
    });

    it('should refuse school admins, teachers and students', async () => {
      for (const member of [north.admin, north.teacher, north.student]) {
        const response = await call(member.tokens.access_token, 'POST', '/licenses', {
          tenant_id: north.tenant,
          total_seats: 5,
          expires_at: new Date(Date.now() + DAY_MS).toISOString(),
        });
        expect(response.status).toBe(403);
      }
    });

    it.each([
      [{ total_seats: 5, expires_at: '2030-01-01T00:00:00Z' }, 'tenant_id'],
      [{ tenant_id: 'x', total_seats: 5, expires_at: '2030-01-01T00:00:00Z' }, 'tenant_id'],
      [{ tenant_id: 'known', total_seats: -1, expires_at: '2030-01-01T00:00:00Z' }, 'total_seats'],
      [{ tenant_id: 'known', total_seats: 1.5, expires_at: '2030-01-01T00:00:00Z' }, 'total_seats'],
      [{ tenant_id: 'known', total_seats: 5, expires_at: 'tomorrow' }, 'expires_at'],
      [
        {
          tenant_id: 'known',
          total_seats: 5,
          starts_at: '2030-01-02T00:00:00Z',
          expires_at: '2030-01-01T00:00:00Z',
        },
        'expires_at',
      ],
      [
        { tenant_id: 'nobody_here', total_seats: 5, expires_at: '2030-01-01T00:00:00Z' },
        'tenant_id',
      ],
    ])('should answer 400 naming the field for %j, writing nothing', async (sent, field) => {
      const body: Record<string, unknown> = sent;
      const before = await query<{ n: number }>(
        t.databaseUrl,
        'SELECT count(*)::int AS n FROM school_licenses',
      );
      const json = {
        ...body,
        tenant_id: body.tenant_id === 'known' ? north.tenant : body.tenant_id,
      };
      const response = await call(superAdmin.access_token, 'POST', '/licenses', json);
      expect(response.status).toBe(400);
      expect(response.body.error_code).toBe('COMMON_VALIDATION_FAILED');
      expect(response.body.details?.fields?.map((f) => f.field)).toContain(field);
      const after = await query<{ n: number }>(
        t.databaseUrl,
        'SELECT count(*)::int AS n FROM school_licenses',
      );
      expect(after).toEqual(before);
    });
  });

  describe('reading licenses', () => {
    let license: LicenseView;

    beforeAll(async () => {
      license = await createLicense(t, superAdmin.access_token, south.tenant, 10);
    });

    it("should show a school admin their school's licenses only", async () => {
      const own = await call<{ items: LicenseView[] }>(
        south.admin.tokens.access_token,
        'GET',
        '/licenses',
      );
      expect(own.status).toBe(200);
      expect(own.body.items.map((item) => item.id)).toContain(license.id);
      expect(own.body.items.every((item) => item.tenant_id === south.tenant)).toBe(true);
      const other = await call<{ items: LicenseView[] }>(
        north.admin.tokens.access_token,
        'GET',
        '/licenses',
      );
      expect(other.body.items.map((item) => item.id)).not.toContain(license.id);
    });

    it("should refuse another school's license as if it did not exist", async () => {
      const response = await call(
        north.admin.tokens.access_token,
        'GET',
        `/licenses/${license.id}`,
      );
      expect(response.status).toBe(404);
      expect(response.body.error_code).toBe('LICENSE_NOT_FOUND_OR_EXPIRED');
      const named = await call(
        north.admin.tokens.access_token,
        'GET',
        `/licenses?tenant_id=${south.tenant}`,
      );
      expect(named.status).toBe(403);
    });

    it('should refuse students the list, and teachers while their school keeps seats to admins', async () => {
      expect((await call(south.student.tokens.access_token, 'GET', '/licenses')).status).toBe(403);
      expect((await call(south.teacher.tokens.access_token, 'GET', '/licenses')).status).toBe(403);
      const one = await call(south.teacher.tokens.access_token, 'GET', `/licenses/${license.id}`);
      expect(one.status).toBe(403);
      expect(one.body.error_code).toBe('AUTH_FORBIDDEN');
    });

    it('should show total, used and available seats to a super admin', async () => {
      const response = await call(superAdmin.access_token, 'GET', `/licenses/${license.id}`);
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ total_seats: 10, used_seats: 0, available_seats: 10 });
    });

    it('should answer 400 for an id that is not a uuid', async () => {
      const response = await call(south.admin.tokens.access_token, 'GET', '/licenses/not-a-uuid');
      expect(response.status).toBe(400);
    });
  });

  describe('POST /licenses/:id/seats', () => {
    it('should assign one student, and answer 200 with the same seat, counted once, when asked again', async () => {
      const license = await createLicense(t, superAdmin.access_token, north.tenant, 3);
      const first = await assign(north.admin.tokens.access_token, license.id, {
        user_id: north.student.user.id,
      });
      expect(first.status).toBe(201);
      expect(first.body).toMatchObject({
        assigned: 1,
        already_assigned: 0,
        seats: [{ user_id: north.student.user.id, how: 'admin', assigned_by: north.admin.user.id }],
        license: { used_seats: 1, available_seats: 2 },
      });
      const again = await assign(north.admin.tokens.access_token, license.id, {
        user_id: north.student.user.id,
      });
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ assigned: 0, already_assigned: 1 });
      expect(again.body.seats).toEqual(first.body.seats);
      expect(await seatCounts(t, license.id)).toEqual({ used: 1, rows: 1 });
    });

    it('should refuse a class whole when seats are short (25 students, 20 free: missing 5)', async () => {
      const license = await createLicense(t, superAdmin.access_token, north.tenant, 25);
      const students = await seedStudents(t, north.tenant, 30);
      const held = await assign(north.admin.tokens.access_token, license.id, {
        user_ids: students.slice(25, 30),
      });
      expect(held.status).toBe(201);
      const schoolClass = await createClass(t, {
        tenant: north.tenant,
        name: '4-A',
        members: students.slice(0, 25).map((userId) => ({ userId, role: 'student' as const })),
      });
      // 25 in the class, 20 free seats.
      const refused = await assign(north.admin.tokens.access_token, license.id, {
        class_id: schoolClass.id,
      });
      expect(refused.status).toBe(409);
      expect(refused.body).toMatchObject({
        error_code: 'LICENSE_NO_SEATS_AVAILABLE',
        details: { missing: 5, requested: 25, available: 20 },
      });
      expect(await seatCounts(t, license.id)).toEqual({ used: 5, rows: 5 });
    });

    it('should refuse a 30-student class on 20 free seats with missing 10, assigning nobody', async () => {
      const license = await createLicense(t, superAdmin.access_token, north.tenant, 20);
      const students = await seedStudents(t, north.tenant, 30);
      const schoolClass = await createClass(t, {
        tenant: north.tenant,
        name: '5-B',
        members: students.map((userId) => ({ userId, role: 'student' as const })),
      });
      const refused = await assign(north.admin.tokens.access_token, license.id, {
        class_id: schoolClass.id,
      });
      expect(refused.status).toBe(409);
      expect(refused.body.details).toMatchObject({ missing: 10 });
      expect(await seatCounts(t, license.id)).toEqual({ used: 0, rows: 0 });
      const fits = await assign(north.admin.tokens.access_token, license.id, {
        user_ids: students.slice(0, 20),
      });
      expect(fits.status).toBe(201);
      expect(fits.body.license).toMatchObject({ used_seats: 20, available_seats: 0 });
      const class2 = await assign(north.admin.tokens.access_token, license.id, {
        class_id: schoolClass.id,
      });
      expect(class2.body.details).toMatchObject({ missing: 10 });
    });

    it('should give seats to students only, and only to members of the school', async () => {
      const license = await createLicense(t, superAdmin.access_token, north.tenant, 10);
      const staff = await assign(north.admin.tokens.access_token, license.id, {
        user_ids: [north.teacher.user.id, north.student.user.id],
      });
      expect(staff.status).toBe(409);
      expect(staff.body).toMatchObject({
        error_code: 'LICENSE_SEATS_FOR_STUDENTS_ONLY',
        details: { user_ids: [north.teacher.user.id] },
      });
      const stranger = await assign(north.admin.tokens.access_token, license.id, {
        user_ids: [south.student.user.id, north.student.user.id],
      });
      expect(stranger.status).toBe(404);
      expect(stranger.body).toMatchObject({
        error_code: 'LICENSE_STUDENT_NOT_FOUND',
        details: { user_ids: [south.student.user.id] },
      });
      expect(await seatCounts(t, license.id)).toEqual({ used: 0, rows: 0 });
    });

    it.each([
      ['nothing', {}],
      ['a user_id that is not a uuid', { user_id: 'nope' }],
      ['an empty user_ids', { user_ids: [] }],
      ['user_ids that is not a list', { user_ids: 'x' }],
      ['both user_id and class_id', { user_id: randomUUID(), class_id: randomUUID() }],
      ['1,001 user_ids', { user_ids: Array.from({ length: 1001 }, () => randomUUID()) }],
    ])('should answer 400 for %s', async (_case, body) => {
      const license = await createLicense(t, superAdmin.access_token, north.tenant, 2);
      const response = await assign(north.admin.tokens.access_token, license.id, body);
      expect(response.status).toBe(400);
      expect(response.body.error_code).toBe('COMMON_VALIDATION_FAILED');
      expect(await seatCounts(t, license.id)).toEqual({ used: 0, rows: 0 });
    });

    it("should refuse another school's admin, students, and teachers while the setting is off", async () => {
      const license = await createLicense(t, superAdmin.access_token, south.tenant, 5);
      const body = { user_id: south.student.user.id };
      const other = await assign(north.admin.tokens.access_token, license.id, body);
      expect(other.status).toBe(404);
      expect(other.body.error_code).toBe('LICENSE_NOT_FOUND_OR_EXPIRED');
      expect((await assign(south.student.tokens.access_token, license.id, body)).status).toBe(403);
      const teacher = await assign(south.teacher.tokens.access_token, license.id, body);
      expect(teacher.status).toBe(403);
      expect(teacher.body.error_code).toBe('AUTH_FORBIDDEN');
      expect(await seatCounts(t, license.id)).toEqual({ used: 0, rows: 0 });
    });

    it('should let a teacher assign students of their own classes when teachers_assign_seats is on', async () => {
      const school = await createSchool(t);
      const license = await createLicense(t, superAdmin.access_token, school.tenant, 5);
      const taught = await createClass(t, {
        tenant: school.tenant,
        members: [
          { userId: school.teacher.user.id, role: 'teacher' },
          { userId: school.student.user.id, role: 'student' },
        ],
      });
      expect((await setSchool(school.tenant, { teachers_assign_seats: true })).status).toBe(200);
      const teacher = school.teacher.tokens.access_token;
      const notTheirs = await assign(teacher, license.id, { user_id: school.otherStudent.user.id });
      expect(notTheirs.status).toBe(403);
      expect(notTheirs.body.details).toMatchObject({ user_ids: [school.otherStudent.user.id] });
      const byClass = await assign(teacher, license.id, { class_id: taught.id });
      expect(byClass.status).toBe(201);
      expect(byClass.body.seats).toEqual([
        expect.objectContaining({ user_id: school.student.user.id, how: 'class' }),
      ]);
      const otherTeacher = await assign(school.otherTeacher.tokens.access_token, license.id, {
        class_id: taught.id,
      });
      expect(otherTeacher.status).toBe(403);
      expect((await call(teacher, 'GET', `/licenses/${license.id}`)).status).toBe(200);
      expect((await call(teacher, 'GET', `/licenses/${license.id}/seats`)).status).toBe(403);
      expect(
        (await call(teacher, 'DELETE', `/licenses/${license.id}/seats/${school.student.user.id}`))
          .status,
      ).toBe(403);
    });

    it('should refuse an expired or revoked license with 404 LICENSE_NOT_FOUND_OR_EXPIRED', async () => {
      const license = await createLicense(t, superAdmin.access_token, north.tenant, 5);
      await query(
        t.databaseUrl,
        `UPDATE school_licenses SET starts_at = now() - interval '2 days', expires_at = now() - interval '1 day' WHERE id = $1`,
        [license.id],
      );
      const expired = await assign(north.admin.tokens.access_token, license.id, {
        user_id: north.otherStudent.user.id,
      });
      expect(expired.status).toBe(404);
      expect(expired.body.error_code).toBe('LICENSE_NOT_FOUND_OR_EXPIRED');
      const revokedLicense = await createLicense(t, superAdmin.access_token, north.tenant, 5);
      const revoke = await call(
        superAdmin.access_token,
        'PATCH',
        `/licenses/${revokedLicense.id}`,
        {
          revoked: true,
        },
      );
      expect(revoke.body).toMatchObject({ status: 'revoked' });
      const refused = await assign(north.admin.tokens.access_token, revokedLicense.id, {
        user_id: north.otherStudent.user.id,
      });
      expect(refused.body.error_code).toBe('LICENSE_NOT_FOUND_OR_EXPIRED');
    });
  });

  describe('under concurrency', () => {
    it('should hold exactly 50 seats for 500 students asking at once over two instances', async () => {
      const second = await startTestApp({ databaseUrl: t.databaseUrl, env: marketEnv });
      try {
        const school = await createSchool(t);
        const license = await createLicense(t, superAdmin.access_token, school.tenant, 50);
        const students = await seedStudents(t, school.tenant, 500);
        const token = school.admin.tokens.access_token;
        const responses = await Promise.all(
          students.map((userId, index) =>
            requestJson<AssignmentView>(
              `${(index % 2 === 0 ? t : second).baseUrl}/api/v1/licenses/${license.id}/seats`,
              { method: 'POST', headers: bearer(token), json: { user_id: userId } },
            ),
          ),
        );
        const statuses = responses.map((response) => response.status);
        expect(statuses.filter((status) => status === 201)).toHaveLength(50);
        expect(statuses.filter((status) => status === 409)).toHaveLength(450);
        expect(
          responses
            .filter((response) => response.status === 409)
            .every((response) => response.body.error_code === 'LICENSE_NO_SEATS_AVAILABLE'),
        ).toBe(true);
        expect(await seatCounts(t, license.id)).toEqual({ used: 50, rows: 50 });
      } finally {
        await second.close();
      }
    });

    it('should count one seat for the same student assigned 20 times at once', async () => {
      const license = await createLicense(t, superAdmin.access_token, north.tenant, 5);
      const [student] = await seedStudents(t, north.tenant, 1);
      const responses = await Promise.all(
        Array.from({ length: 20 }, () =>
          assign(north.admin.tokens.access_token, license.id, { user_id: student }),
        ),
      );
      const statuses = responses.map((response) => response.status).sort();
      expect(statuses.filter((status) => status === 201)).toHaveLength(1);
      expect(statuses.filter((status) => status === 200)).toHaveLength(19);
      expect(await seatCounts(t, license.id)).toEqual({ used: 1, rows: 1 });
    });

    it('should refuse in the database an active license holding more seats than it has', async () => {
      const license = await createLicense(t, superAdmin.access_token, north.tenant, 1);
      await expect(
        query(t.databaseUrl, `UPDATE school_licenses SET used_seats = 2 WHERE id = $1`, [
          license.id,
        ]),
      ).rejects.toThrow(/chk_school_licenses_seat_limit/);
    });
  });

  describe('PATCH /licenses/:id', () => {
    it('should put a license cut below its used seats in over_allocated, refuse new seats, and turn active as seats are freed', async () => {
      const license = await createLicense(t, superAdmin.access_token, north.tenant, 4);
      const students = await seedStudents(t, north.tenant, 5);
      await assign(north.admin.tokens.access_token, license.id, { user_ids: students.slice(0, 4) });
      const cut = await call(superAdmin.access_token, 'PATCH', `/licenses/${license.id}`, {
        total_seats: 2,
      });
      expect(cut.status).toBe(200);
      expect(cut.body).toMatchObject({
        status: 'over_allocated',
        used_seats: 4,
        available_seats: 0,
        surplus_seats: 2,
      });
      const refused = await assign(north.admin.tokens.access_token, license.id, {
        user_id: students[4],
      });
      expect(refused.status).toBe(409);
      expect(refused.body).toMatchObject({
        error_code: 'LICENSE_OVER_ALLOCATED',
        details: { surplus: 2 },
      });
      const admin = north.admin.tokens.access_token;
      expect(
        (await call(admin, 'DELETE', `/licenses/${license.id}/seats/${students[0]}`)).status,
      ).toBe(204);
      expect((await call(admin, 'GET', `/licenses/${license.id}`)).body.status).toBe(
        'over_allocated',
      );
      expect(
        (await call(admin, 'DELETE', `/licenses/${license.id}/seats/${students[1]}`)).status,
      ).toBe(204);
      expect((await call(admin, 'GET', `/licenses/${license.id}`)).body).toMatchObject({
        status: 'active',
        used_seats: 2,
      });
      const events = await query(
        t.databaseUrl,
        `SELECT payload->>'surplus_seats' AS surplus FROM outbox_events
         WHERE type = 'license.over_allocated' AND aggregate_id = $1`,
        [license.id],
      );
      expect(events).toEqual([{ surplus: '2' }]);
    });

    it('should refuse school admins and bad input, changing nothing', async () => {
      const license = await createLicense(t, superAdmin.access_token, north.tenant, 4);
      const path = `/licenses/${license.id}`;
      expect(
        (await call(north.admin.tokens.access_token, 'PATCH', path, { total_seats: 9 })).status,
      ).toBe(403);
      for (const body of [{}, { total_seats: -3 }, { expires_at: 'soon' }, { revoked: 'yes' }]) {
        const response = await call(superAdmin.access_token, 'PATCH', path, body);
        expect(response.status).toBe(400);
      }
      const earlier = await call(superAdmin.access_token, 'PATCH', path, {
        expires_at: new Date(Date.parse(license.starts_at) - DAY_MS).toISOString(),
      });
      expect(earlier.status).toBe(400);
      expect((await call(superAdmin.access_token, 'GET', path)).body).toMatchObject({
        total_seats: 4,
        expires_at: license.expires_at,
        status: 'active',
      });
      const missing = await call(superAdmin.access_token, 'PATCH', `/licenses/${randomUUID()}`, {
        total_seats: 3,
      });
      expect(missing.status).toBe(404);
    });
  });

  describe('seats: listing, releasing, and what a student holds', () => {
    it('should list holders with their names and classes, for admins of the school only', async () => {
      const school = await createSchool(t);
      const license = await createLicense(t, superAdmin.access_token, school.tenant, 5);
      const schoolClass = await createClass(t, {
        tenant: school.tenant,
        name: '2-C Maths',
        members: [{ userId: school.student.user.id, role: 'student' }],
      });
      await assign(school.admin.tokens.access_token, license.id, {
        user_ids: [school.student.user.id, school.otherStudent.user.id],
      });
      const page = await call<SeatPage>(
        school.admin.tokens.access_token,
        'GET',
        `/licenses/${license.id}/seats?limit=10`,
      );
      expect(page.status).toBe(200);
      expect(page.body.total).toBe(2);
      const mine = page.body.items.find((item) => item.user_id === school.student.user.id);
      expect(mine).toMatchObject({
        full_name: 'Test Person',
        classes: [{ id: schoolClass.id, name: '2-C Maths' }],
      });
      const other = await call<SeatPage>(
        north.admin.tokens.access_token,
        'GET',
        `/licenses/${license.id}/seats`,
      );
      expect(other.status).toBe(404);
      const bad = await call(
        school.admin.tokens.access_token,
        'GET',
        `/licenses/${license.id}/seats?limit=0`,
      );
      expect(bad.status).toBe(400);
    });

    it('should release a seat once, and refuse other schools and unknown seats', async () => {
      const school = await createSchool(t);
      const license = await createLicense(t, superAdmin.access_token, school.tenant, 2);
      await assign(school.admin.tokens.access_token, license.id, {
        user_id: school.student.user.id,
      });
      const path = `/licenses/${license.id}/seats/${school.student.user.id}`;
      expect((await call(north.admin.tokens.access_token, 'DELETE', path)).status).toBe(404);
      expect((await call(school.student.tokens.access_token, 'DELETE', path)).status).toBe(403);
      expect(await seatCounts(t, license.id)).toEqual({ used: 1, rows: 1 });
      expect((await call(school.admin.tokens.access_token, 'DELETE', path)).status).toBe(204);
      const again = await call(school.admin.tokens.access_token, 'DELETE', path);
      expect(again.status).toBe(404);
      expect(again.body.error_code).toBe('LICENSE_SEAT_NOT_FOUND');
      expect(await seatCounts(t, license.id)).toEqual({ used: 0, rows: 0 });
    });

    it('should give back the seat of a student who leaves the school, whose account is erased, or who becomes staff', async () => {
      const school = await createSchool(t);
      const license = await createLicense(t, superAdmin.access_token, school.tenant, 4);
      const [erased] = await seedStudents(t, school.tenant, 1);
      await assign(school.admin.tokens.access_token, license.id, {
        user_ids: [school.student.user.id, school.otherStudent.user.id, erased],
      });
      const removed = await call(
        school.admin.tokens.access_token,
        'DELETE',
        `/users/${school.student.user.id}`,
      );
      expect(removed.status).toBe(204);
      expect(await seatCounts(t, license.id)).toEqual({ used: 2, rows: 2 });
      await query(t.databaseUrl, 'DELETE FROM users WHERE id = $1', [erased]);
      expect(await seatCounts(t, license.id)).toEqual({ used: 1, rows: 1 });
      const promoted = await call(
        school.admin.tokens.access_token,
        'PATCH',
        `/users/${school.otherStudent.user.id}`,
        { role: 'teacher' },
      );
      expect(promoted.status).toBe(200);
      expect(await seatCounts(t, license.id)).toEqual({ used: 0, rows: 0 });
    });

    it('should answer 200 for students already seated on an over-allocated license, and 409 for a new one', async () => {
      const license = await createLicense(t, superAdmin.access_token, north.tenant, 2);
      const students = await seedStudents(t, north.tenant, 3);
      await assign(north.admin.tokens.access_token, license.id, { user_ids: students.slice(0, 2) });
      await call(superAdmin.access_token, 'PATCH', `/licenses/${license.id}`, { total_seats: 1 });
      const held = await assign(north.admin.tokens.access_token, license.id, {
        user_id: students[0],
      });
      expect(held.status).toBe(200);
      expect(held.body).toMatchObject({ assigned: 0, already_assigned: 1 });
      const fresh = await assign(north.admin.tokens.access_token, license.id, {
        user_ids: [students[0], students[2]],
      });
      expect(fresh.status).toBe(409);
      expect(fresh.body.error_code).toBe('LICENSE_OVER_ALLOCATED');
    });

    it('should answer /licenses/me with 403 LICENSE_SEAT_REQUIRED without a seat and the seat with one', async () => {
      const school = await createSchool(t);
      const student = school.student.tokens.access_token;
      const without = await call(student, 'GET', '/licenses/me');
      expect(without.status).toBe(403);
      expect(without.body.error_code).toBe('LICENSE_SEAT_REQUIRED');
      const license = await createLicense(t, superAdmin.access_token, school.tenant, 2);
      await assign(school.admin.tokens.access_token, license.id, {
        user_id: school.student.user.id,
      });
      const withSeat = await call<{ seat: SeatView; license: LicenseView }>(
        student,
        'GET',
        '/licenses/me',
      );
      expect(withSeat.status).toBe(200);
      expect(withSeat.body).toMatchObject({
        seat: { user_id: school.student.user.id, license_id: license.id },
        license: { id: license.id, used_seats: 1 },
      });
      await call(
        school.admin.tokens.access_token,
        'DELETE',
        `/licenses/${license.id}/seats/${school.student.user.id}`,
      );
      expect((await call(student, 'GET', '/licenses/me')).status).toBe(403);
      expect((await call(school.teacher.tokens.access_token, 'GET', '/licenses/me')).status).toBe(
        403,
      );
    });

    it('should list what the caller has at /users/me/entitlements', async () => {
      const school = await createSchool(t);
      const license = await createLicense(t, superAdmin.access_token, school.tenant, 2);
      await assign(school.admin.tokens.access_token, license.id, {
        user_id: school.student.user.id,
      });
      const student = await call<Record<string, unknown>>(
        school.student.tokens.access_token,
        'GET',
        '/users/me/entitlements',
      );
      expect(student.status).toBe(200);
      expect(student.body).toMatchObject({
        plan: null,
        school_plan: null,
        seat_required: true,
        seat: { license_id: license.id, expires_at: license.expires_at },
        features: { rag: true, chat: true, quiz: true, api_integration: true },
      });
      const teacher = await call<Record<string, unknown>>(
        school.teacher.tokens.access_token,
        'GET',
        '/users/me/entitlements',
      );
      expect(teacher.body).toMatchObject({ seat_required: false, seat: null });
      const anonymous = await requestJson(api('/users/me/entitlements'));
      expect(anonymous.status).toBe(401);
    });
  });
});
