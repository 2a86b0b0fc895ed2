import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ACCOUNT_OWNERSHIP_BACKFILL } from '../../migrations/1795570000000-AccountOwnership.js';
import {
  addMembership,
  bearer,
  createTenant,
  createUser,
  login,
  mailTo,
  tokenFromMail,
  uniqueEmail,
  type TestUser,
  type Tokens,
} from '../factories/accounts.js';
import { activateTenant, market, marketEnv } from '../factories/market.js';
import { query } from '../support/database-client.js';
import { requestJson } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

type Body = Record<string, unknown> & { error_code?: string };

const INVITATION_KEYS = [
  'accepted_at',
  'created_at',
  'email',
  'expires_at',
  'id',
  'role',
  'status',
  'tenant_id',
].sort();

describe('account ownership: a school manages only the accounts it made', () => {
  let t: TestApp;
  let schoolA: string;
  let schoolB: string;
  let adminA: Tokens;
  let adminAUser: TestUser;
  let adminBUser: TestUser;
  let adminB: Tokens;

  const api = (path: string) => `${t.baseUrl}/api/v1${path}`;
  const call = (method: string, token: string, path: string, json?: unknown) =>
    requestJson<Body>(api(path), { method, headers: bearer(token), json });
  const managedBy = async (userId: string) =>
    (
      await query<{ managed_by_tenant_id: string | null }>(
        t.databaseUrl,
        `SELECT managed_by_tenant_id FROM users WHERE id = $1`,
        [userId],
      )
    )[0]?.managed_by_tenant_id;
  const membershipsOf = async (userId: string) =>
    (
      await query<{ tenant_id: string }>(
        t.databaseUrl,
        `SELECT tenant_id FROM memberships WHERE user_id = $1 ORDER BY tenant_id`,
        [userId],
      )
    ).map((row) => row.tenant_id);

  beforeAll(async () => {
    t = await startTestApp({ env: marketEnv });
    schoolA = await createTenant(t, { name: 'School A' });
    schoolB = await createTenant(t, { name: 'School B' });
    adminAUser = await createUser(t, { tenant: schoolA, role: 'admin' });
    adminA = await login(t, adminAUser);
    adminBUser = await createUser(t, { tenant: schoolB, role: 'admin' });
    adminB = await login(t, adminBUser, { tenant_id: schoolB });
  });

  afterAll(async () => {
    await t.close();
  });

  it("should stop school A's admin from taking over school B's admin, end to end", async () => {
    // 1. Adding B's admin by email: an invitation, no membership, nothing about the account.
    const added = await call('POST', adminA.access_token, '/users', {
      email: adminBUser.email,
      role: 'student',
      full_name: 'Xavier',
    });
    expect(added.status).toBe(202);
    expect(Object.keys(added.body).sort()).toEqual(INVITATION_KEYS);
    expect(added.body).toMatchObject({
      email: adminBUser.email,
      role: 'student',
      tenant_id: schoolA,
      status: 'pending',
      accepted_at: null,
    });
    expect(added.body.id).not.toBe(adminBUser.id);
    for (const disclosed of ['account_created', 'last_login_at', 'email_verified', 'full_name']) {
      expect(added.body).not.toHaveProperty(disclosed);
    }
    expect(await membershipsOf(adminBUser.id)).toEqual([schoolB]);
    const mail = await mailTo(t, adminBUser.email, 'You are invited to School A');

    // 2. Without a membership, A's admin cannot reach the account at all.
    const reset = await call('POST', adminA.access_token, `/users/${adminBUser.id}/reset-password`);
    expect(reset.status).toBe(404);
    expect(reset.body.error_code).toBe('USER_NOT_FOUND');
    const acting = await call('POST', adminA.access_token, '/admin/impersonate', {
      user_id: adminBUser.id,
      reason: 'takeover attempt',
    });
    expect(acting.status).toBe(404);

    // 3. Even once the owner accepts (a member of two schools), A may not act on the account.
    const accepted = await call('POST', adminB.access_token, '/invitations/accept', {
      token: tokenFromMail(mail),
    });
    expect(accepted.status).toBe(201);
    expect((await membershipsOf(adminBUser.id)).sort()).toEqual([schoolA, schoolB].sort());
    for (const [method, path, json] of [
      ['POST', `/users/${adminBUser.id}/reset-password`, undefined],
      ['POST', `/users/${adminBUser.id}/unlock`, undefined],
      ['POST', '/admin/impersonate', { user_id: adminBUser.id, reason: 'takeover attempt' }],
    ] as const) {
      const refused = await call(method, adminA.access_token, path, json);
      expect(refused.status).toBe(403);
      expect(refused.body.error_code).toBe('USER_ACCOUNT_SELF_MANAGED');
    }
    const viewed = await call('GET', adminA.access_token, `/users/${adminBUser.id}`);
    expect(viewed.body.school_managed).toBe(false);

    // Taking them out of A leaves the account (and its B sessions) alone.
    const removed = await call('DELETE', adminA.access_token, `/users/${adminBUser.id}`);
    expect(removed.status).toBe(204);
    expect(await membershipsOf(adminBUser.id)).toEqual([schoolB]);
    expect((await call('GET', adminB.access_token, '/users/me')).status).toBe(200);

    // 4. The owner's password still works, and still opens school B as its admin.
    const owner = await login(t, adminBUser, { tenant_id: schoolB });
    const claims = JSON.parse(
      Buffer.from(owner.access_token.split('.')[1] ?? '', 'base64url').toString(),
    ) as { tid: string; role: string };
    expect(claims).toMatchObject({ tid: schoolB, role: 'admin' });
  });

  it('should end a school’s management for good when the pupil joins a second school', async () => {
    // School B adds the address: an invitation; accepting it makes an account B manages.
    const email = uniqueEmail('pupil');
    const invitedByB = await call('POST', adminB.access_token, '/users', {
      email,
      role: 'student',
      full_name: 'Made By B',
    });
    expect(invitedByB.status).toBe(202);
    const password = 'Owner-Chosen-2026!';
    const madeByB = await requestJson<Body>(api('/invitations/accept'), {
      method: 'POST',
      json: {
        token: tokenFromMail(await mailTo(t, email, 'You are invited to School B')),
        password,
        full_name: 'Made By B',
      },
    });
    expect(madeByB.status).toBe(201);
    expect(madeByB.body).toMatchObject({ account_created: true, tenant_id: schoolB });
    const pupilId = madeByB.body.user_id as string;
    expect(await managedBy(pupilId)).toBe(schoolB);
    expect((await call('GET', adminB.access_token, `/users/${pupilId}`)).body).toMatchObject({
      school_managed: true,
      must_change_password: false,
    });

    // School A adds the same address: an invitation, answered like any other.
    const invited = await call('POST', adminA.access_token, '/users', {
      email,
      role: 'student',
      full_name: 'Xavier',
    });
    expect(invited.status).toBe(202);
    expect(Object.keys(invited.body).sort()).toEqual(INVITATION_KEYS);
    expect(await membershipsOf(pupilId)).toEqual([schoolB]);
    // Until the pupil accepts, B still manages the account.
    const stillB = await call('POST', adminB.access_token, `/users/${pupilId}/unlock`);
    expect(stillB.status).toBe(204);

    const pupil = await login(t, { email, password });
    const token = tokenFromMail(await mailTo(t, email, 'You are invited to School A'));
    expect((await call('POST', pupil.access_token, '/invitations/accept', { token })).status).toBe(
      201,
    );
    expect(await managedBy(pupilId)).toBeNull();
    for (const admin of [adminA, adminB]) {
      const refused = await call('POST', admin.access_token, `/users/${pupilId}/reset-password`);
      expect(refused.status).toBe(403);
      expect(refused.body.error_code).toBe('USER_ACCOUNT_SELF_MANAGED');
    }
    // Leaving A again does not give B the account back.
    await call('DELETE', adminA.access_token, `/users/${pupilId}`);
    expect(await managedBy(pupilId)).toBeNull();
    expect(
      (await call('POST', adminB.access_token, `/users/${pupilId}/reset-password`)).status,
    ).toBe(403);
    await login(t, { email, password });
  });

  it.each(['student', 'teacher', 'admin'])(
    'should invite, not attach, an existing account whatever the role asked (%s)',
    async (role) => {
      const someone = await createUser(t, { tenant: schoolB, role: 'teacher' });
      const added = await call('POST', adminA.access_token, '/users', {
        email: someone.email.toUpperCase(),
        role,
        full_name: 'Xavier',
      });
      expect(added.status).toBe(202);
      expect(added.body).toMatchObject({ role, status: 'pending' });
      expect(await membershipsOf(someone.id)).toEqual([schoolB]);
      await login(t, someone);
      const reset = await call('POST', adminA.access_token, `/users/${someone.id}/reset-password`);
      expect(reset.status).toBe(404);
    },
  );

  it('should answer a school adding a known and a fresh address alike: status, shape, one mail, no membership, timing', async () => {
    const invitationMails = async (email: string) => {
      let count = 0;
      for (const file of await readdir(t.outboxDir)) {
        const raw = await readFile(path.join(t.outboxDir, file), 'utf8');
        if (raw.includes(email) && raw.includes('You are invited to School A')) {
          count += 1;
        }
      }
      return count;
    };
    const add = (email: string) =>
      call('POST', adminA.access_token, '/users', { email, role: 'student', full_name: 'Xavier' });
    const known = await createUser(t, { tenant: schoolB, role: 'student' });
    const fresh = uniqueEmail('fresh');
    const a = await add(known.email);
    const b = await add(fresh);
    expect(a.status).toBe(202);
    expect(b.status).toBe(a.status);
    expect(Object.keys(a.body).sort()).toEqual(INVITATION_KEYS);
    expect(Object.keys(b.body).sort()).toEqual(INVITATION_KEYS);
    const strip = (body: Body) => ({
      ...body,
      id: undefined,
      email: undefined,
      created_at: undefined,
      expires_at: undefined,
    });
    expect(strip(a.body)).toEqual(strip(b.body));
    expect(a.body).toMatchObject({ email: known.email, tenant_id: schoolA, status: 'pending' });
    expect(b.body).toMatchObject({ email: fresh, tenant_id: schoolA, status: 'pending' });

    // One invitation mail each, and no membership (nor account) until accepted.
    await mailTo(t, known.email, 'You are invited to School A');
    await mailTo(t, fresh, 'You are invited to School A');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await invitationMails(known.email)).toBe(1);
    expect(await invitationMails(fresh)).toBe(1);
    expect(await membershipsOf(known.id)).toEqual([schoolB]);
    expect(await query(t.databaseUrl, `SELECT 1 FROM users WHERE email = $1`, [fresh])).toEqual([]);

    // The same work either way: alternate the kinds so drift in machine load hits both alike.
    const median = (values: number[]) =>
      [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)] ?? 0;
    const knownAccounts: TestUser[] = [];
    for (let i = 0; i < 10; i += 1) {
      knownAccounts.push(await createUser(t, { tenant: schoolB, role: 'student' }));
    }
    const times = { known: [] as number[], fresh: [] as number[] };
    for (const account of knownAccounts) {
      for (const kind of ['known', 'fresh'] as const) {
        const started = process.hrtime.bigint();
        const response = await add(kind === 'known' ? account.email : uniqueEmail('fresh'));
        times[kind].push(Number(process.hrtime.bigint() - started) / 1e6);
        expect(response.status).toBe(202);
      }
    }
    const ratio = median(times.known) / median(times.fresh);
    expect(ratio).toBeGreaterThan(0.6);
    expect(ratio).toBeLessThan(1.67);
  });

  it('should answer a super admin adding an existing email with an invitation too', async () => {
    const superAdmin = await login(t, await createUser(t, { superAdmin: true }));
    const someone = await createUser(t);
    const invited = await call('POST', superAdmin.access_token, '/users', {
      email: someone.email,
      role: 'teacher',
      full_name: 'Xavier',
      tenant_id: schoolA,
    });
    expect(invited.status).toBe(202);
    expect(Object.keys(invited.body).sort()).toEqual(INVITATION_KEYS);
    expect(await membershipsOf(someone.id)).toEqual([]);
  });

  describe('the Service Market, acting for the school in its path', () => {
    let tenant: string;

    beforeAll(async () => {
      tenant = await activateTenant(t);
    });

    it('should invite an existing email (202) instead of attaching the account', async () => {
      const response = await market(t, 'POST', `/mt/tenant/${tenant}/users`, {
        email: adminAUser.email,
        name: 'Xavier',
        role: 'user',
        send_welcome_email: false,
      });
      expect(response.status).toBe(202);
      expect(Object.keys(response.body).sort()).toEqual(
        ['email', 'expires_at', 'role', 'status'].sort(),
      );
      expect(response.body).toMatchObject({
        email: adminAUser.email,
        role: 'student',
        status: 'invited',
      });
      expect(await membershipsOf(adminAUser.id)).toEqual([schoolA]);
      await mailTo(t, adminAUser.email, 'You are invited');
    });

    it('should rename the accounts it made, and refuse to rename a self-managed member (403)', async () => {
      const made = await market<{ user_id: string }>(t, 'POST', `/mt/tenant/${tenant}/users`, {
        email: uniqueEmail('market-made'),
        name: 'Made Here',
        role: 'user',
        password: 'Market-Temp-2026!',
        send_welcome_email: false,
      });
      expect(made.status).toBe(201);
      expect(await managedBy(made.body.user_id)).toBe(tenant);
      const renamed = await market(t, 'PUT', `/mt/tenant/${tenant}/users/${made.body.user_id}`, {
        name: 'Renamed Here',
      });
      expect(renamed.status).toBe(200);
      expect(renamed.body.name).toBe('Renamed Here');

      const own = await createUser(t, { tenant, role: 'student' });
      const refused = await market<Body>(t, 'PUT', `/mt/tenant/${tenant}/users/${own.id}`, {
        name: 'Not Yours',
        role: 'teacher',
      });
      expect(refused.status).toBe(403);
      expect(refused.body.error_code).toBe('USER_ACCOUNT_SELF_MANAGED');
      const [row] = await query<{ full_name: string; role: string }>(
        t.databaseUrl,
        `SELECT u.full_name, m.role FROM users u JOIN memberships m ON m.user_id = u.id
         WHERE u.id = $1 AND m.tenant_id = $2`,
        [own.id, tenant],
      );
      expect(row).toEqual({ full_name: 'Test Person', role: 'student' });
    });
  });

  it('should migrate existing accounts conservatively: school-managed only where certain', async () => {
    const tenant = await createTenant(t);
    const other = await createTenant(t);
    const insertUser = async (values: {
      email: string | null;
      username?: string;
      mustChange?: boolean;
      verifiedWithCreation?: boolean;
    }): Promise<string> => {
      const [row] = await query<{ id: string }>(
        t.databaseUrl,
        `INSERT INTO users (email, full_name, username, must_change_password, email_verified_at, created_at)
         VALUES ($1, 'Legacy', $2, $3, CASE WHEN $4 THEN now() END, now()) RETURNING id`,
        [
          values.email,
          values.username ?? null,
          values.mustChange ?? false,
          values.verifiedWithCreation ?? false,
        ],
      );
      const id = row?.id ?? '';
      await query(
        t.databaseUrl,
        `INSERT INTO memberships (user_id, tenant_id, role, username) VALUES ($1, $2, 'student', $3)`,
        [id, tenant, values.username ?? null],
      );
      return id;
    };
    const pupil = await insertUser({ email: null, username: `legacy${Date.now()}` });
    const temporary = await insertUser({
      email: uniqueEmail('legacy'),
      mustChange: true,
      verifiedWithCreation: true,
    });
    const changedPassword = await insertUser({
      email: uniqueEmail('legacy'),
      verifiedWithCreation: true,
    });
    const registered = await insertUser({ email: uniqueEmail('legacy'), mustChange: true });
    const twoSchools = await insertUser({ email: null, username: `legacy2${Date.now()}` });
    await addMembership(t, twoSchools, other, 'student');
    const withGoogle = await insertUser({ email: null, username: `legacy3${Date.now()}` });
    await query(
      t.databaseUrl,
      `INSERT INTO identities (user_id, provider, subject) VALUES ($1, 'google', $2)`,
      [withGoogle, `sub-${withGoogle}`],
    );
    const signedInElsewhere = await insertUser({
      email: uniqueEmail('legacy'),
      mustChange: true,
      verifiedWithCreation: true,
    });
    await query(
      t.databaseUrl,
      `INSERT INTO sessions (user_id, tenant_id, refresh_family, refresh_token_hash, last_used_at,
         expires_at)
       VALUES ($1, NULL, substr(md5(random()::text), 1, 32), repeat('0', 64), now(),
         now() + interval '1 day')`,
      [signedInElsewhere],
    );
    const ids = [
      pupil,
      temporary,
      changedPassword,
      registered,
      twoSchools,
      withGoogle,
      signedInElsewhere,
    ];
    await query(t.databaseUrl, `UPDATE users SET managed_by_tenant_id = NULL WHERE id = ANY($1)`, [
      ids,
    ]);
    await query(t.databaseUrl, ACCOUNT_OWNERSHIP_BACKFILL);
    const managed = await Promise.all(ids.map((id) => managedBy(id)));
    expect(managed).toEqual([tenant, tenant, null, null, null, null, null]);
  });
});
