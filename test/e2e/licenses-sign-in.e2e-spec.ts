import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import {
  addMembership,
  bearer,
  createTenant,
  createUser,
  login,
  type TestUser,
  type Tokens,
} from '../factories/accounts.js';
import { market, marketEnv } from '../factories/market.js';
import { query } from '../support/database-client.js';
import { freePort } from '../support/free-port.js';
import { requestJson, waitFor } from '../support/http.js';
import { MockOAuthProvider } from '../support/oauth-provider.js';
import { RedirectBrowser } from '../support/redirect-browser.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const DAY = 24 * 3600 * 1000;
const FRONTEND = 'http://frontend.test';

describe('seats claimed at sign-in', () => {
  const provider = new MockOAuthProvider();
  let t: TestApp;
  let superAdmin: Tokens;
  const api = (path: string) => `${t.baseUrl}/api/v1${path}`;

  const autoAssign = async (tenant: string, on: boolean) => {
    const response = await market(t, 'PUT', `/mt/tenant/${tenant}/settings`, {
      config: { auto_assign_seats: on },
    });
    expect(response.status).toBe(200);
  };

  const createLicense = async (tenant: string, seats: number) => {
    const created = await requestJson<{ id: string }>(api('/licenses'), {
      method: 'POST',
      headers: bearer(superAdmin.access_token),
      json: {
        tenant_id: tenant,
        total_seats: seats,
        expires_at: new Date(Date.now() + 90 * DAY).toISOString(),
      },
    });
    expect(created.status).toBe(201);
    return created.body.id;
  };

  const seatsOf = (licenseId: string) =>
    query<{ user_id: string; how: string; assigned_by: string | null }>(
      t.databaseUrl,
      `SELECT user_id, how, assigned_by FROM license_seats WHERE license_id = $1 ORDER BY user_id`,
      [licenseId],
    );

  const usedSeats = async (licenseId: string) =>
    (
      await query<{ used_seats: number }>(
        t.databaseUrl,
        `SELECT used_seats FROM school_licenses WHERE id = $1`,
        [licenseId],
      )
    )[0]?.used_seats;

  const myLicense = (tokens: Tokens) =>
    requestJson<{ error_code?: string; license?: { id: string }; seat?: { how: string } }>(
      api('/licenses/me'),
      { headers: bearer(tokens.access_token) },
    );

  const school = async (seats: number, on: boolean) => {
    const tenant = await createTenant(t);
    await autoAssign(tenant, on);
    return { tenant, licenseId: await createLicense(tenant, seats) };
  };

  const student = (tenant: string): Promise<TestUser> => createUser(t, { tenant, role: 'student' });

  beforeAll(async () => {
    await provider.start();
    const port = await freePort();
    t = await startTestApp({
      port,
      env: {
        ...marketEnv,
        FRONTEND_URL: FRONTEND,
        ...provider.env(`http://127.0.0.1:${port}/api/v1/auth/google/callback`),
      },
    });
    superAdmin = await login(t, await createUser(t, { superAdmin: true }));
  });

  afterAll(async () => {
    await t.close();
    await provider.stop();
  });

  it('should give a student a free seat at password sign-in when the school hands them out', async () => {
    const { tenant, licenseId } = await school(3, true);
    const pupil = await student(tenant);
    const tokens = await login(t, pupil);
    const mine = await myLicense(tokens);
    expect(mine.status).toBe(200);
    expect(mine.body.license?.id).toBe(licenseId);
    expect(mine.body.seat?.how).toBe('auto');
    expect(await seatsOf(licenseId)).toEqual([
      { user_id: pupil.id, how: 'auto', assigned_by: null },
    ]);

    // Signing in again keeps the one seat.
    await login(t, pupil);
    expect(await usedSeats(licenseId)).toBe(1);
  });

  it('should give a pupil signing in with tenant and username a seat', async () => {
    const { tenant, licenseId } = await school(3, true);
    const teacher = await login(t, await createUser(t, { tenant, role: 'teacher' }));
    const username = `pupil.${Date.now()}`;
    const created = await requestJson<{ id: string }>(api('/users'), {
      method: 'POST',
      headers: bearer(teacher.access_token),
      json: {
        username,
        full_name: 'Pupil Without Mail',
        role: 'student',
        temporary_password: 'Garden-Path-42!',
      },
    });
    expect(created.status).toBe(201);
    expect(await seatsOf(licenseId)).toEqual([]);
    const signedIn = await requestJson(api('/auth/login'), {
      method: 'POST',
      json: { tenant_id: tenant, username, password: 'Garden-Path-42!' },
    });
    expect(signedIn.status).toBe(200);
    expect(await seatsOf(licenseId)).toEqual([
      { user_id: created.body.id, how: 'auto', assigned_by: null },
    ]);
  });

  it('should not hand out seats at sign-in when the setting is off', async () => {
    const { tenant, licenseId } = await school(3, false);
    const tokens = await login(t, await student(tenant));
    const mine = await myLicense(tokens);
    expect(mine.status).toBe(403);
    expect(mine.body.error_code).toBe('LICENSE_SEAT_REQUIRED');
    expect(await seatsOf(licenseId)).toEqual([]);
  });

  it('should stop handing out seats once the setting is turned off', async () => {
    const { tenant, licenseId } = await school(3, true);
    await autoAssign(tenant, false);
    await login(t, await student(tenant));
    expect(await seatsOf(licenseId)).toEqual([]);
  });

  it('should still sign a student in when the license is full, or the school has none', async () => {
    const { tenant, licenseId } = await school(1, true);
    const seated = await student(tenant);
    const late = await student(tenant);
    await login(t, seated);
    const tokens = await login(t, late);
    expect(tokens.access_token).toEqual(expect.any(String));
    const mine = await myLicense(tokens);
    expect(mine.status).toBe(403);
    expect(mine.body.error_code).toBe('LICENSE_SEAT_REQUIRED');
    expect((await seatsOf(licenseId)).map((seat) => seat.user_id)).toEqual([seated.id]);
    expect(await usedSeats(licenseId)).toBe(1);

    const bare = await createTenant(t);
    await autoAssign(bare, true);
    expect((await login(t, await student(bare))).access_token).toEqual(expect.any(String));
  });

  it('should not hold a sign-in up while its license is locked, and seat the student after', async () => {
    const { tenant, licenseId } = await school(3, true);
    const pupil = await student(tenant);
    // A long seat assignment elsewhere holds the license's row.
    const other = new pg.Client({ connectionString: t.databaseUrl });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query('SELECT id FROM school_licenses WHERE id = $1 FOR UPDATE', [licenseId]);
      const started = Date.now();
      const tokens = await login(t, pupil);
      expect(Date.now() - started).toBeLessThan(3000);
      expect(tokens.access_token).toEqual(expect.any(String));
      expect(await seatsOf(licenseId)).toEqual([]);
    } finally {
      await other.query('ROLLBACK');
      await other.end();
    }
    await waitFor(async () => (await seatsOf(licenseId)).length === 1);
    expect(await usedSeats(licenseId)).toBe(1);
  });

  it('should take the next license with room when the first is full', async () => {
    const { tenant, licenseId } = await school(1, true);
    const second = await createLicense(tenant, 1);
    const one = await student(tenant);
    const two = await student(tenant);
    await login(t, one);
    await login(t, two);
    const seated = [...(await seatsOf(licenseId)), ...(await seatsOf(second))];
    expect(seated.map((seat) => seat.user_id).sort()).toEqual([one.id, two.id].sort());
  });

  it('should never give teachers or admins a seat', async () => {
    const { tenant, licenseId } = await school(3, true);
    for (const role of ['teacher', 'admin'] as const) {
      const tokens = await login(t, await createUser(t, { tenant, role }));
      expect(tokens.access_token).toEqual(expect.any(String));
    }
    expect(await seatsOf(licenseId)).toEqual([]);
    expect(await usedSeats(licenseId)).toBe(0);
  });

  it('should give a student signing in with Google a seat', async () => {
    const domain = `${randomBytes(4).toString('hex')}.school.test`;
    const tenant = await createTenant(t);
    const settings = await market(t, 'PUT', `/mt/tenant/${tenant}/settings`, {
      config: { google_domains: [domain], auto_assign_seats: true },
    });
    expect(settings.status).toBe(200);
    const licenseId = await createLicense(tenant, 3);

    provider.nextUser({
      sub: `google-${randomBytes(6).toString('hex')}`,
      email: `pupil@${domain}`,
      email_verified: true,
      name: 'Minji Kim',
      hd: domain,
    });
    const navigation = await new RedirectBrowser(FRONTEND).navigate(
      `${t.baseUrl}/api/v1/auth/google`,
    );
    const code = navigation.finalUrl.searchParams.get('code');
    expect(code).toEqual(expect.any(String));
    const exchanged = await requestJson<Tokens>(api('/auth/oauth/exchange'), {
      method: 'POST',
      json: { code },
    });
    expect(exchanged.status).toBe(200);
    const mine = await myLicense(exchanged.body);
    expect(mine.status).toBe(200);
    expect(mine.body.license?.id).toBe(licenseId);
    expect(await seatsOf(licenseId)).toEqual([
      { user_id: exchanged.body.user.id, how: 'auto', assigned_by: null },
    ]);
  });

  it('should give a student a seat when they switch to a school that hands them out', async () => {
    const home = await createTenant(t);
    const { tenant, licenseId } = await school(3, true);
    const pupil = await createUser(t, { tenant: home, role: 'student' });
    await addMembership(t, pupil.id, tenant, 'student');
    const tokens = await login(t, pupil, { tenant_id: home });
    expect(await seatsOf(licenseId)).toEqual([]);
    const switched = await requestJson<Tokens>(api('/auth/switch-tenant'), {
      method: 'POST',
      headers: bearer(tokens.access_token),
      json: { tenant_id: tenant },
    });
    expect(switched.status).toBe(200);
    expect((await myLicense(switched.body)).status).toBe(200);
    expect((await seatsOf(licenseId)).map((seat) => seat.user_id)).toEqual([pupil.id]);
  });
});
