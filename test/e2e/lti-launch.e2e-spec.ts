import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, createTenant, createUser, login, type Tokens } from '../factories/accounts.js';
import { createLicense } from '../factories/licenses.js';
import { launchFootprint, registerPlatform } from '../factories/lti.js';
import { query } from '../support/database-client.js';
import { freePort } from '../support/free-port.js';
import { requestJson } from '../support/http.js';
import { LTI_ROLE, LtiPlatform, type LaunchResult } from '../support/lti-platform.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const FRONTEND = 'http://frontend.test';

interface Exchanged {
  access_token: string;
  refresh_token: string;
  user: { id: string; full_name?: string; email: string | null };
  lti_launch: {
    launch_id: string;
    class_id: string | null;
    context_id: string | null;
    resource_link_id: string | null;
    message_type: string;
    role: string;
    roles: string[];
    launch_presentation: Record<string, unknown> | null;
    custom: Record<string, unknown> | null;
    link_code: string | null;
  };
}

describe('LTI 1.3 launches from an OpenID provider playing the LMS (oidc-provider)', () => {
  let t: TestApp;
  let moodle: LtiPlatform;
  let canvas: LtiPlatform;
  let school: string;
  let otherSchool: string;
  let superAdmin: Tokens;
  let toolUrl: string;

  beforeAll(async () => {
    const [toolPort, moodlePort, canvasPort] = [
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    toolUrl = `http://127.0.0.1:${toolPort}`;
    moodle = new LtiPlatform({
      port: moodlePort,
      clientId: 'moodle-client',
      toolUrl,
      deploymentId: 'dep-1',
    });
    canvas = new LtiPlatform({
      port: canvasPort,
      clientId: 'canvas-client',
      toolUrl,
      deploymentId: 'dep-9',
    });
    await Promise.all([moodle.start(), canvas.start()]);
    t = await startTestApp({
      port: toolPort,
      env: { PUBLIC_URL: toolUrl, FRONTEND_URL: FRONTEND },
    });
    school = await createTenant(t);
    otherSchool = await createTenant(t);
    await query(
      t.databaseUrl,
      `UPDATE tenants SET settings = settings || '{"auto_assign_seats": true}' WHERE id = $1`,
      [school],
    );
    superAdmin = await login(t, await createUser(t, { superAdmin: true }));
    await createLicense(t, superAdmin.access_token, school, 10);
    await registerPlatform(t, school, {
      issuer: moodle.issuer,
      clientId: 'moodle-client',
      authLoginUrl: moodle.authLoginUrl,
      jwksUrl: moodle.jwksUrl,
      deploymentIds: ['dep-1'],
    });
    await registerPlatform(t, otherSchool, {
      issuer: canvas.issuer,
      clientId: 'canvas-client',
      authLoginUrl: canvas.authLoginUrl,
      jwksUrl: canvas.jwksUrl,
      deploymentIds: ['dep-9'],
    });
  });

  afterAll(async () => {
    await t.close();
    await Promise.all([moodle.stop(), canvas.stop()]);
  });

  const codeOf = (result: LaunchResult): string => {
    expect(result.launchResponse.status).toBe(302);
    const location = new URL(result.launchResponse.location ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(`${FRONTEND}/lti/launch`);
    return location.searchParams.get('code') ?? '';
  };

  const exchange = async (code: string) => {
    const response = await requestJson<Exchanged>(`${t.baseUrl}/api/v1/auth/oauth/exchange`, {
      method: 'POST',
      json: { code },
    });
    expect(response.status).toBe(200);
    return response.body;
  };

  const launchAs = async (
    platform: LtiPlatform,
    input: Parameters<LtiPlatform['prepareLaunch']>[0],
  ) => {
    const result = await platform.driveLaunch(platform.prepareLaunch(input));
    return { result, signedIn: await exchange(codeOf(result)) };
  };

  const learner = { sub: 'moodle-user-17', name: 'Min-jun Lee', email: 'minjun@school.test' };
  const math = { id: 'course-math', label: 'MATH5', title: 'Mathematics 5' };

  it('should create a new learner, the class of the course and their seat, with no token in any URL', async () => {
    const { result, signedIn } = await launchAs(moodle, {
      user: learner,
      roles: [LTI_ROLE.learner],
      context: math,
      resourceLink: { id: 'link-fractions', title: 'Fractions' },
      custom: { unit: 'fractions' },
    });
    for (const url of [
      result.loginResponse.location,
      result.authRedirect.toString(),
      result.launchResponse.location,
    ]) {
      expect(url).not.toMatch(/access_token|refresh_token|id_token=/);
    }
    expect(signedIn.access_token).toEqual(expect.any(String));
    expect(signedIn.user.email).toBeNull();
    expect(signedIn.lti_launch).toMatchObject({
      message_type: 'LtiResourceLinkRequest',
      role: 'student',
      roles: [LTI_ROLE.learner],
      context_id: 'course-math',
      resource_link_id: 'link-fractions',
      custom: { unit: 'fractions' },
    });
    const classId = signedIn.lti_launch.class_id;
    const [klass] = await query<{ name: string; tenant_id: string }>(
      t.databaseUrl,
      `SELECT name, tenant_id FROM classes WHERE id = $1`,
      [classId],
    );
    expect(klass).toEqual({ name: 'Mathematics 5', tenant_id: school });
    const members = await query<{ user_id: string; role: string }>(
      t.databaseUrl,
      `SELECT user_id, role FROM class_members WHERE class_id = $1`,
      [classId],
    );
    expect(members).toEqual([{ user_id: signedIn.user.id, role: 'student' }]);
    const [membership] = await query<{ role: string }>(
      t.databaseUrl,
      `SELECT role FROM memberships WHERE user_id = $1 AND tenant_id = $2`,
      [signedIn.user.id, school],
    );
    expect(membership.role).toBe('student');
    // The LMS's address stays on the identity: unverified, it signs no one in.
    const [identity] = await query<{ email: string; issuer: string; subject: string }>(
      t.databaseUrl,
      `SELECT email, issuer, subject FROM lti_identities WHERE user_id = $1`,
      [signedIn.user.id],
    );
    expect(identity).toEqual({
      email: 'minjun@school.test',
      issuer: moodle.issuer,
      subject: 'moodle-user-17',
    });
    const [seat] = await query<{ how: string }>(
      t.databaseUrl,
      `SELECT how FROM license_seats WHERE user_id = $1`,
      [signedIn.user.id],
    );
    expect(seat.how).toBe('lti');
    const [launch] = await query<{
      deployment_id: string;
      resource_link_id: string;
      role: string;
      claims: Record<string, unknown>;
    }>(
      t.databaseUrl,
      `SELECT deployment_id, resource_link_id, role, claims FROM lti_launches WHERE id = $1`,
      [signedIn.lti_launch.launch_id],
    );
    expect(launch).toMatchObject({
      deployment_id: 'dep-1',
      resource_link_id: 'link-fractions',
      role: 'student',
    });
    expect(JSON.stringify(launch.claims)).not.toContain('nonce');
  });

  it('should bring the same learner back to the same account and class', async () => {
    const first = await launchAs(moodle, {
      user: learner,
      roles: [LTI_ROLE.learner],
      context: math,
      resourceLink: { id: 'link-fractions' },
    });
    const again = await launchAs(moodle, {
      user: { ...learner, name: 'Min-jun Lee (renamed)' },
      roles: [LTI_ROLE.learner],
      context: math,
      resourceLink: { id: 'link-decimals' },
    });
    expect(again.signedIn.user.id).toBe(first.signedIn.user.id);
    expect(again.signedIn.lti_launch.class_id).toBe(first.signedIn.lti_launch.class_id);
    const [count] = await query<{ n: number }>(
      t.databaseUrl,
      `SELECT count(*)::int AS n FROM lti_identities WHERE subject = $1`,
      [learner.sub],
    );
    expect(count.n).toBe(1);
  });

  it('should make an instructor a teacher of the class', async () => {
    const student = await launchAs(moodle, {
      user: learner,
      roles: [LTI_ROLE.learner],
      context: math,
      resourceLink: { id: 'link-fractions' },
    });
    const { signedIn } = await launchAs(moodle, {
      user: { sub: 'moodle-teacher-3', name: 'Ms. Park', email: 'park@school.test' },
      roles: [LTI_ROLE.instructor],
      context: math,
      resourceLink: { id: 'link-fractions' },
    });
    expect(signedIn.lti_launch.role).toBe('teacher');
    expect(signedIn.lti_launch.class_id).toBe(student.signedIn.lti_launch.class_id);
    const [member] = await query<{ role: string }>(
      t.databaseUrl,
      `SELECT role FROM class_members WHERE class_id = $1 AND user_id = $2`,
      [signedIn.lti_launch.class_id, signedIn.user.id],
    );
    expect(member.role).toBe('teacher');
    const seats = await query(t.databaseUrl, `SELECT 1 FROM license_seats WHERE user_id = $1`, [
      signedIn.user.id,
    ]);
    expect(seats).toHaveLength(0);
  });

  it('should make a second course of the same platform a second class', async () => {
    const first = await launchAs(moodle, {
      user: learner,
      roles: [LTI_ROLE.learner],
      context: math,
      resourceLink: { id: 'a' },
    });
    const second = await launchAs(moodle, {
      user: learner,
      roles: [LTI_ROLE.learner],
      context: { id: 'course-science', title: 'Science 5' },
      resourceLink: { id: 'b' },
    });
    expect(second.signedIn.lti_launch.class_id).not.toBe(first.signedIn.lti_launch.class_id);
    expect(second.signedIn.user.id).toBe(first.signedIn.user.id);
  });

  it('should keep a second platform of another school apart', async () => {
    // The same subject at another LMS is another person, in another school.
    const { signedIn } = await launchAs(canvas, {
      user: { ...learner },
      roles: [LTI_ROLE.learner],
      context: math,
      resourceLink: { id: 'link-fractions' },
    });
    const moodleUser = await query<{ user_id: string }>(
      t.databaseUrl,
      `SELECT user_id FROM lti_identities WHERE issuer = $1 AND subject = $2`,
      [moodle.issuer, learner.sub],
    );
    expect(signedIn.user.id).not.toBe(moodleUser[0]?.user_id);
    const [klass] = await query<{ tenant_id: string }>(
      t.databaseUrl,
      `SELECT tenant_id FROM classes WHERE id = $1`,
      [signedIn.lti_launch.class_id],
    );
    expect(klass.tenant_id).toBe(otherSchool);
    const memberships = await query<{ tenant_id: string }>(
      t.databaseUrl,
      `SELECT tenant_id FROM memberships WHERE user_id = $1`,
      [signedIn.user.id],
    );
    expect(memberships).toEqual([{ tenant_id: otherSchool }]);
    // Without auto-assigned seats in that school, no seat is taken.
    expect(
      await query(t.databaseUrl, `SELECT 1 FROM license_seats WHERE user_id = $1`, [
        signedIn.user.id,
      ]),
    ).toHaveLength(0);
  });

  it('should hold an unknown deployment as pending, then accept it once approved', async () => {
    const plan = () =>
      moodle.prepareLaunch({
        user: learner,
        roles: [LTI_ROLE.learner],
        context: math,
        resourceLink: { id: 'x' },
        deploymentId: 'dep-new',
      });
    const before = await launchFootprint(t, school);
    const pending = await moodle.driveLaunch(plan());
    expect(pending.launchResponse.status).toBe(400);
    expect(pending.launchResponse.headers.get('x-error-code')).toBe('LTI_DEPLOYMENT_PENDING');
    expect(pending.launchResponse.body).toContain('school admin must approve');
    expect(await launchFootprint(t, school)).toEqual(before);
    const [row] = await query<{ status: string }>(
      t.databaseUrl,
      `SELECT d.status FROM lti_deployments d JOIN lti_platforms p ON p.id = d.platform_id WHERE p.issuer = $1 AND d.deployment_id = 'dep-new'`,
      [moodle.issuer],
    );
    expect(row.status).toBe('pending');
    await query(
      t.databaseUrl,
      `UPDATE lti_deployments SET status = 'approved' WHERE deployment_id = 'dep-new'`,
    );
    const accepted = await moodle.driveLaunch(plan());
    const signedIn = await exchange(codeOf(accepted));
    expect(signedIn.lti_launch.context_id).toBe('course-math');
  });

  it("should move an LMS identity to the account its person signs in to, with the launch's code only", async () => {
    const lms = { sub: 'moodle-linker-5', name: 'Da-eun Jang', email: 'daeun@school.test' };
    const first = await launchAs(moodle, {
      user: lms,
      roles: [LTI_ROLE.learner],
      context: math,
      resourceLink: { id: 'l' },
    });
    const code = first.signedIn.lti_launch.link_code;
    expect(code).toMatch(/^[\w-]{43}$/);
    const own = await createUser(t, {});
    const ownTokens = await login(t, own);
    const link = (token: string | undefined, linkCode: string) =>
      requestJson<{ issuer: string; tenant_id: string; error_code?: string }>(
        `${t.baseUrl}/api/v1/lti/identities/link`,
        {
          method: 'POST',
          headers: token ? bearer(token) : {},
          json: { link_code: linkCode },
        },
      );
    expect((await link(undefined, code!)).status).toBe(401);
    expect((await link(ownTokens.access_token, 'not-the-code')).body.error_code).toBe(
      'LTI_LINK_CODE_INVALID',
    );
    const linked = await link(ownTokens.access_token, code!);
    expect(linked.status).toBe(200);
    expect(linked.body).toMatchObject({ issuer: moodle.issuer, tenant_id: school });
    // Spent: the code works once.
    expect((await link(ownTokens.access_token, code!)).status).toBe(404);
    const again = await launchAs(moodle, {
      user: lms,
      roles: [LTI_ROLE.learner],
      context: math,
      resourceLink: { id: 'l' },
    });
    expect(again.signedIn.user.id).toBe(own.id);
    // An account with its own sign-in gets no link code.
    expect(again.signedIn.lti_launch.link_code).toBeNull();
  });

  it('should give an anonymous launch a guest view without an account', async () => {
    const before = await launchFootprint(t, school);
    const result = await moodle.driveLaunch(
      moodle.prepareLaunch({
        user: { anonymous: true },
        roles: [],
        resourceLink: { id: 'public-demo' },
      }),
    );
    expect(result.launchResponse.status).toBe(302);
    const location = new URL(result.launchResponse.location ?? '');
    expect(location.searchParams.get('guest')).toBe('1');
    expect(location.searchParams.get('code')).toBeNull();
    const after = await launchFootprint(t, school);
    expect(after).toEqual({ ...before, launches: before.launches + 1 });
  });

  it('should refuse a suspended member with a clear page', async () => {
    const { signedIn } = await launchAs(moodle, {
      user: { sub: 'moodle-suspended', name: 'Suspended Kim' },
      roles: [LTI_ROLE.learner],
      resourceLink: { id: 'x' },
    });
    await query(t.databaseUrl, `UPDATE memberships SET status = 'suspended' WHERE user_id = $1`, [
      signedIn.user.id,
    ]);
    const result = await moodle.driveLaunch(
      moodle.prepareLaunch({
        user: { sub: 'moodle-suspended', name: 'Suspended Kim' },
        roles: [LTI_ROLE.learner],
        resourceLink: { id: 'x' },
      }),
    );
    expect(result.launchResponse.status).toBe(403);
    expect(result.launchResponse.headers.get('x-error-code')).toBe('LTI_MEMBERSHIP_SUSPENDED');
  });

  it('should refuse every launch into a deactivated school', async () => {
    const closed = await createTenant(t, { status: 'deactivated' });
    const lms = new LtiPlatform({
      port: await freePort(),
      clientId: 'closed-client',
      toolUrl,
      deploymentId: 'd',
    });
    await lms.start();
    try {
      await registerPlatform(t, closed, {
        issuer: lms.issuer,
        clientId: 'closed-client',
        authLoginUrl: lms.authLoginUrl,
        jwksUrl: lms.jwksUrl,
        deploymentIds: ['d'],
      });
      const result = await lms.driveLaunch(
        lms.prepareLaunch({ user: learner, roles: [LTI_ROLE.learner], resourceLink: { id: 'x' } }),
      );
      expect(result.launchResponse.headers.get('x-error-code')).toBe('LTI_TENANT_INACTIVE');
      expect(await launchFootprint(t, closed)).toMatchObject({
        users: 0,
        memberships: 0,
        launches: 0,
      });
    } finally {
      await lms.stop();
    }
  });
});
