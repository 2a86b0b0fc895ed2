import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, createTenant, createUser, login, type Tokens } from '../factories/accounts.js';
import { createClass } from '../factories/classes.js';
import { exchangeLaunch, registerPlatform } from '../factories/lti.js';
import { query } from '../support/database-client.js';
import { freePort } from '../support/free-port.js';
import { requestJson } from '../support/http.js';
import type { RosterMember } from '../support/lti-nrps.js';
import { LTI_ROLE, LtiPlatform } from '../support/lti-platform.js';
import { LTI_SCOPE } from '../support/lti-platform-services.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const FRONTEND = 'http://frontend.test';
const NRPS_MEDIA_TYPE = 'application/vnd.ims.lti-nrps.v2.membershipcontainer+json';

interface Sync {
  id: string;
  trigger: string;
  status: string;
  mode: string | null;
  pages: number;
  members: number;
  added: number;
  removed: number;
  skipped: number;
  error_code: string | null;
  error_message: string | null;
}

const member = (
  userId: string,
  role: 'learner' | 'instructor' | 'teachingAssistant',
  extra: Partial<RosterMember> = {},
): RosterMember => ({
  user_id: userId,
  roles: [LTI_ROLE[role]],
  name: `Person ${userId}`,
  email: `${userId}@school.test`,
  ...extra,
});

describe('LTI roster sync from Names and Role Provisioning Services (NRPS 2.0)', () => {
  let t: TestApp;
  let moodle: LtiPlatform;
  let school: string;
  let otherSchool: string;
  let otherAdmin: Tokens;

  beforeAll(async () => {
    const [toolPort, moodlePort] = [await freePort(), await freePort()];
    const toolUrl = `http://127.0.0.1:${toolPort}`;
    moodle = new LtiPlatform({
      port: moodlePort,
      clientId: 'moodle-client',
      toolUrl,
      deploymentId: 'dep-1',
    });
    await moodle.start();
    t = await startTestApp({
      port: toolPort,
      env: { PUBLIC_URL: toolUrl, FRONTEND_URL: FRONTEND, LTI_RETRY_DELAY_MS: '50' },
    });
    school = await createTenant(t);
    otherSchool = await createTenant(t);
    otherAdmin = await login(t, await createUser(t, { tenant: otherSchool, role: 'admin' }));
    await registerPlatform(t, school, {
      issuer: moodle.issuer,
      clientId: 'moodle-client',
      authLoginUrl: moodle.authLoginUrl,
      tokenUrl: moodle.tokenUrl,
      jwksUrl: moodle.jwksUrl,
      deploymentIds: ['dep-1'],
    });
  });

  afterAll(async () => {
    await t.close();
    await moodle.stop();
  });

  const launch = async (sub: string, roles: string[], contextId: string) =>
    exchangeLaunch(
      t,
      await moodle.driveLaunch(
        moodle.prepareLaunch({
          user: { sub, name: `Person ${sub}`, email: `${sub}@school.test` },
          roles,
          context: { id: contextId, label: contextId.toUpperCase(), title: `Course ${contextId}` },
          resourceLink: { id: `link-${contextId}` },
        }),
      ),
    );

  const syncs = (token: string, classId: string) =>
    requestJson<{ items: Sync[] }>(`${t.baseUrl}/api/v1/lti/contexts/${classId}/roster-sync`, {
      headers: bearer(token),
    });

  const requestSync = (token: string, classId: string, full = false) =>
    requestJson<{ sync: Sync; queued: boolean }>(
      `${t.baseUrl}/api/v1/lti/contexts/${classId}/roster-sync${full ? '?full=true' : ''}`,
      { method: 'POST', headers: bearer(token) },
    );

  /** Waits for the sync to end (succeeded or failed) and answers it. */
  const settled = async (token: string, classId: string, syncId?: string): Promise<Sync> => {
    let seen: Sync[] = [];
    for (let i = 0; i < 300; i += 1) {
      const { body } = await syncs(token, classId);
      seen = body.items;
      const sync = syncId ? body.items.find((item) => item.id === syncId) : body.items[0];
      if (sync && (sync.status === 'succeeded' || sync.status === 'failed')) {
        return sync;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`the roster sync did not end: ${JSON.stringify(seen)}`);
  };

  const classMembers = (classId: string) =>
    query<{ subject: string; role: string }>(
      t.databaseUrl,
      `SELECT i.subject, cm.role FROM class_members cm
         JOIN lti_identities i ON i.user_id = cm.user_id AND i.issuer = $2
        WHERE cm.class_id = $1 ORDER BY i.subject`,
      [classId, moodle.issuer],
    );

  const nrpsCalls = (contextId: string) =>
    moodle.serviceRequests.filter(
      (request) => request.url.includes(`/${contextId}/`) && request.url.includes('members'),
    );

  it("should read every page of the roster after the first instructor launch and give the class exactly the LMS's active members", async () => {
    const roster = [
      member('bio-teacher', 'instructor'),
      member('bio-ta', 'teachingAssistant'),
      ...['s1', 's2', 's3', 's4', 's5'].map((id) => member(`bio-${id}`, 'learner')),
      member('bio-left', 'learner', { status: 'Inactive' }),
    ];
    moodle.setRoster('bio', roster, { pageSize: 3, differences: true });
    const tokensBefore = moodle.tokenRequests.length;

    const teacher = await launch('bio-teacher', [LTI_ROLE.instructor], 'bio');
    const classId = teacher.lti_launch.class_id;
    const sync = await settled(teacher.access_token, classId);

    expect(sync).toMatchObject({
      trigger: 'launch',
      status: 'succeeded',
      mode: 'full',
      pages: 3,
      members: 7,
      // The instructor was in the class from the launch: six joined.
      added: 6,
      removed: 0,
      skipped: 0,
      error_code: null,
    });
    expect(await classMembers(classId)).toEqual([
      { subject: 'bio-s1', role: 'student' },
      { subject: 'bio-s2', role: 'student' },
      { subject: 'bio-s3', role: 'student' },
      { subject: 'bio-s4', role: 'student' },
      { subject: 'bio-s5', role: 'student' },
      { subject: 'bio-ta', role: 'assistant' },
      { subject: 'bio-teacher', role: 'teacher' },
    ]);
    // New members are school members with the mapped role, accounts the school manages.
    const people = await query<{ subject: string; role: string; managed: string; email: null }>(
      t.databaseUrl,
      `SELECT i.subject, m.role, u.managed_by_tenant_id AS managed, u.email
         FROM lti_identities i JOIN users u ON u.id = i.user_id
         JOIN memberships m ON m.user_id = u.id AND m.tenant_id = $2
        WHERE i.issuer = $1 AND i.subject IN ('bio-ta', 'bio-s1')
        ORDER BY i.subject`,
      [moodle.issuer, school],
    );
    expect(people).toEqual([
      { subject: 'bio-s1', role: 'student', managed: school, email: null },
      { subject: 'bio-ta', role: 'teacher', managed: school, email: null },
    ]);
    const calls = nrpsCalls('bio');
    expect(calls).toHaveLength(3);
    for (const call of calls) {
      expect(call.status).toBe(200);
      expect(call.accept).toBe(NRPS_MEDIA_TYPE);
      expect(call.authorization).toMatch(/^Bearer \S+$/);
      expect(call.userAgent).toMatch(/LTI 1\.3 tool/);
    }
    // One token, with only the roster scope, for the three pages.
    const tokens = moodle.tokenRequests.slice(tokensBefore).filter((r) => r.status === 200);
    expect(tokens).toHaveLength(1);
    expect(tokens[0]?.scopes).toEqual([LTI_SCOPE.contextMembershipReadonly]);
    expect(tokens[0]?.assertion?.payload).toMatchObject({
      iss: 'moodle-client',
      sub: 'moodle-client',
      aud: moodle.tokenUrl,
    });
    expect(tokens[0]?.assertion?.header).toMatchObject({ alg: 'RS256', kid: expect.any(String) });
    // A short-lived assertion: about 60 s from its issue.
    const { iat, exp, jti } = tokens[0]?.assertion?.payload ?? {};
    expect(typeof iat === 'number' && typeof exp === 'number' ? exp - iat : null).toBe(60);
    expect(jti).toEqual(expect.any(String));
    // The token is kept sealed, never in clear.
    const [stored] = await query<{ access_token_sealed: string }>(
      t.databaseUrl,
      `SELECT access_token_sealed FROM lti_service_tokens`,
    );
    expect(stored?.access_token_sealed).not.toContain(tokens[0]?.accessToken ?? '-');
  });

  it('should apply a changed roster on the next sync from its differences: one added, one inactive, one gone', async () => {
    const teacher = await launch('bio-teacher', [LTI_ROLE.instructor], 'bio');
    const classId = teacher.lti_launch.class_id;
    const accountOfS2 = await query<{ user_id: string }>(
      t.databaseUrl,
      `SELECT user_id FROM lti_identities WHERE issuer = $1 AND subject = 'bio-s2'`,
      [moodle.issuer],
    );
    const before = nrpsCalls('bio').length;
    moodle.setRoster('bio', [
      member('bio-teacher', 'instructor'),
      member('bio-ta', 'teachingAssistant'),
      member('bio-s1', 'learner'),
      member('bio-s2', 'learner', { status: 'Inactive' }),
      // bio-s3 is gone
      member('bio-s4', 'learner'),
      member('bio-s5', 'learner'),
      member('bio-s6', 'learner'),
    ]);

    const requested = await requestSync(teacher.access_token, classId);
    expect(requested.status).toBe(202);
    expect(requested.body.queued).toBe(true);
    const sync = await settled(teacher.access_token, classId, requested.body.sync.id);

    expect(sync).toMatchObject({
      trigger: 'manual',
      status: 'succeeded',
      mode: 'differences',
      added: 1,
      removed: 2,
    });
    const calls = nrpsCalls('bio').slice(before);
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.every((call) => call.url.includes('since'))).toBe(true);
    expect((await classMembers(classId)).map((row) => row.subject)).toEqual([
      'bio-s1',
      'bio-s4',
      'bio-s5',
      'bio-s6',
      'bio-ta',
      'bio-teacher',
    ]);
    // Leaving the class is not losing the account.
    const [account] = await query<{ deleted_at: Date | null }>(
      t.databaseUrl,
      `SELECT deleted_at FROM users WHERE id = $1`,
      [accountOfS2[0]?.user_id],
    );
    expect(account).toEqual({ deleted_at: null });
  });

  it('should read the whole roster when asked (full=true) and remove those the LMS no longer lists', async () => {
    const teacher = await launch('bio-teacher', [LTI_ROLE.instructor], 'bio');
    const classId = teacher.lti_launch.class_id;
    moodle.setRoster(
      'bio',
      moodle.roster('bio').filter((entry) => entry.user_id !== 'bio-s5'),
      { differences: false },
    );
    const requested = await requestSync(teacher.access_token, classId, true);
    const sync = await settled(teacher.access_token, classId, requested.body.sync.id);
    expect(sync).toMatchObject({ status: 'succeeded', mode: 'full', added: 0, removed: 1 });
    expect((await classMembers(classId)).map((row) => row.subject)).not.toContain('bio-s5');
  });

  it('should run two syncs asked for at once only once', async () => {
    const roster = Array.from({ length: 9 }, (_, i) => member(`chem-${i}`, 'learner'));
    moodle.setRoster('chem', [member('chem-teacher', 'instructor'), ...roster], { pageSize: 5 });
    const teacher = await launch('chem-teacher', [LTI_ROLE.instructor], 'chem');
    const classId = teacher.lti_launch.class_id;
    await settled(teacher.access_token, classId);
    const before = nrpsCalls('chem').length;

    const [first, second] = await Promise.all([
      requestSync(teacher.access_token, classId, true),
      requestSync(teacher.access_token, classId, true),
    ]);
    expect([first.status, second.status]).toEqual([202, 202]);
    expect([first.body.queued, second.body.queued].sort()).toEqual([false, true]);
    expect(first.body.sync.id).toBe(second.body.sync.id);
    await settled(teacher.access_token, classId, first.body.sync.id);
    // One read of the two pages.
    expect(nrpsCalls('chem').length - before).toBe(2);
    const [{ count }] = await query<{ count: number }>(
      t.databaseUrl,
      `SELECT count(*)::int AS count FROM lti_roster_syncs WHERE class_id = $1`,
      [classId],
    );
    expect(count).toBe(2);
  });

  it('should retry a sync the LMS failed with a 5xx, and keep its message when it refuses for good', async () => {
    moodle.setRoster('phys', [member('phys-teacher', 'instructor'), member('phys-1', 'learner')]);
    const teacher = await launch('phys-teacher', [LTI_ROLE.instructor], 'phys');
    const classId = teacher.lti_launch.class_id;
    await settled(teacher.access_token, classId);

    moodle.failNext({ path: '/phys/', status: 503, times: 2 });
    const retried = await requestSync(teacher.access_token, classId, true);
    expect(await settled(teacher.access_token, classId, retried.body.sync.id)).toMatchObject({
      status: 'succeeded',
      members: 2,
    });

    moodle.failNext({
      path: '/phys/',
      status: 403,
      times: 1,
      body: { message: 'Tool not allowed to read this course' },
    });
    const refused = await requestSync(teacher.access_token, classId, true);
    const failed = await settled(teacher.access_token, classId, refused.body.sync.id);
    expect(failed.status).toBe('failed');
    expect(failed.error_code).toBe('LTI_PLATFORM_ERROR');
    expect(failed.error_message).toContain('Tool not allowed to read this course');
    // The class keeps its members when a sync fails.
    expect((await classMembers(classId)).map((row) => row.subject)).toEqual([
      'phys-1',
      'phys-teacher',
    ]);
  });

  it('should refuse the wrong role, class or school, and write nothing', async () => {
    moodle.setRoster('art', [member('art-teacher', 'instructor'), member('art-1', 'learner')]);
    const teacher = await launch('art-teacher', [LTI_ROLE.instructor], 'art');
    const classId = teacher.lti_launch.class_id;
    await settled(teacher.access_token, classId);
    const student = await launch('art-1', [LTI_ROLE.learner], 'art');
    const otherTeacher = await login(t, await createUser(t, { tenant: school, role: 'teacher' }));
    const schoolAdmin = await login(t, await createUser(t, { tenant: school, role: 'admin' }));
    const plainClass = await createClass(t, { tenant: school });
    const countSyncs = async () =>
      (
        await query<{ count: number }>(
          t.databaseUrl,
          `SELECT count(*)::int AS count FROM lti_roster_syncs`,
        )
      )[0]?.count;
    const before = await countSyncs();

    const cases: Array<[string, string | undefined, string, number, string]> = [
      ['a student of the class', student.access_token, classId, 403, 'AUTH_FORBIDDEN'],
      [
        'a teacher of the school, not of the class',
        otherTeacher.access_token,
        classId,
        403,
        'AUTH_FORBIDDEN',
      ],
      ["another school's admin", otherAdmin.access_token, classId, 404, 'CLASS_NOT_FOUND'],
      ['anyone signed out', undefined, classId, 401, 'AUTH_UNAUTHENTICATED'],
      [
        'a class not made from an LMS course',
        schoolAdmin.access_token,
        plainClass.id,
        404,
        'LTI_CONTEXT_NOT_FOUND',
      ],
      [
        'a class id that is no uuid',
        schoolAdmin.access_token,
        'not-a-uuid',
        400,
        'COMMON_VALIDATION_FAILED',
      ],
    ];
    for (const [who, token, target, status, code] of cases) {
      for (const method of ['POST', 'GET']) {
        const response = await requestJson<{ error_code: string }>(
          `${t.baseUrl}/api/v1/lti/contexts/${target}/roster-sync`,
          { method, headers: token ? bearer(token) : {} },
        );
        expect({ who, method, status: response.status, code: response.body.error_code }).toEqual({
          who,
          method,
          status,
          code,
        });
      }
    }
    const badQuery = await requestJson<{ error_code: string }>(
      `${t.baseUrl}/api/v1/lti/contexts/${classId}/roster-sync?full=yes`,
      { method: 'POST', headers: bearer(teacher.access_token) },
    );
    expect(badQuery.status).toBe(400);
    expect(badQuery.body.error_code).toBe('COMMON_VALIDATION_FAILED');
    expect(await countSyncs()).toBe(before);

    // The school's admin manages every class of the school.
    const byAdmin = await requestSync(schoolAdmin.access_token, classId);
    expect(byAdmin.status).toBe(202);
    await settled(schoolAdmin.access_token, classId, byAdmin.body.sync.id);
  });
});
