import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  addMembership,
  bearer,
  createTenant,
  createUser,
  login,
  type Tokens,
} from '../factories/accounts.js';
import { query } from '../support/database-client.js';
import { requestJson, waitFor } from '../support/http.js';
import { ManualClock } from '../support/manual-clock.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

interface SessionView {
  id: string;
  user_agent: string | null;
  current: boolean;
}

const claimsOf = (token: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as Record<
    string,
    unknown
  >;

describe('sessions', () => {
  let t: TestApp;
  const me = (token: string) =>
    requestJson(`${t.baseUrl}/api/v1/users/me`, { headers: bearer(token) });

  beforeAll(async () => {
    t = await startTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  it('should list the devices of the caller and let them sign one out', async () => {
    const user = await createUser(t);
    const laptop = await login(t, user, { userAgent: 'laptop' });
    const phone = await login(t, user, { userAgent: 'phone' });
    const listed = await requestJson<SessionView[]>(`${t.baseUrl}/api/v1/users/me/sessions`, {
      headers: bearer(laptop.access_token),
    });
    expect(listed.status).toBe(200);
    expect(listed.body.map((s) => [s.user_agent, s.current])).toEqual([
      ['phone', false],
      ['laptop', true],
    ]);
    const phoneSession = listed.body.find((s) => s.user_agent === 'phone');
    const revoked = await requestJson(
      `${t.baseUrl}/api/v1/users/me/sessions/${phoneSession?.id ?? ''}`,
      { method: 'DELETE', headers: bearer(laptop.access_token) },
    );
    expect(revoked.status).toBe(204);
    expect((await me(phone.access_token)).status).toBe(401);
    expect((await me(laptop.access_token)).status).toBe(200);
  });

  it("should not let anyone end another user's session", async () => {
    const owner = await createUser(t);
    const other = await createUser(t);
    const ownerTokens = await login(t, owner);
    const otherTokens = await login(t, other);
    const sid = claimsOf(ownerTokens.access_token).sid as string;
    const attempt = await requestJson(`${t.baseUrl}/api/v1/users/me/sessions/${sid}`, {
      method: 'DELETE',
      headers: bearer(otherTokens.access_token),
    });
    expect(attempt.status).toBe(404);
    expect(attempt.body.error_code).toBe('AUTH_SESSION_NOT_FOUND');
    expect((await me(ownerTokens.access_token)).status).toBe(200);
    const notUuid = await requestJson(`${t.baseUrl}/api/v1/users/me/sessions/not-a-uuid`, {
      method: 'DELETE',
      headers: bearer(otherTokens.access_token),
    });
    expect(notUuid.status).toBe(400);
  });

  it('should end the oldest session when a sixth device signs in', async () => {
    const user = await createUser(t);
    const devices: Tokens[] = [];
    for (let i = 1; i <= 6; i += 1) {
      devices.push(await login(t, user, { userAgent: `device-${i}` }));
    }
    expect((await me(devices[0]?.access_token ?? '')).status).toBe(401);
    for (const device of devices.slice(1)) {
      expect((await me(device.access_token)).status).toBe(200);
    }
    const [oldest] = await query<{ revoked_reason: string }>(
      t.databaseUrl,
      `SELECT revoked_reason FROM sessions WHERE user_agent = 'device-1' AND user_id = $1`,
      [user.id],
    );
    expect(oldest?.revoked_reason).toBe('session_limit');
    const refreshOldest = await requestJson(`${t.baseUrl}/api/v1/auth/refresh`, {
      method: 'POST',
      json: { refresh_token: devices[0]?.refresh_token },
    });
    expect(refreshOldest.status).toBe(401);
  });

  it('should end every session with logout-all', async () => {
    const user = await createUser(t);
    const a = await login(t, user);
    const b = await login(t, user);
    const response = await requestJson(`${t.baseUrl}/api/v1/auth/logout-all`, {
      method: 'POST',
      headers: bearer(a.access_token),
    });
    expect(response.status).toBe(204);
    expect((await me(a.access_token)).status).toBe(401);
    expect((await me(b.access_token)).status).toBe(401);
  });

  it('should switch a teacher of two schools between them', async () => {
    const north = await createTenant(t);
    const south = await createTenant(t);
    const user = await createUser(t, { tenant: north, role: 'teacher' });
    await addMembership(t, user.id, south, 'admin');
    const tokens = await login(t, user, { tenant_id: north });
    expect(claimsOf(tokens.access_token)).toMatchObject({ tid: north, role: 'teacher' });

    const switched = await requestJson<Tokens>(`${t.baseUrl}/api/v1/auth/switch-tenant`, {
      method: 'POST',
      headers: bearer(tokens.access_token),
      json: { tenant_id: south },
    });
    expect(switched.status).toBe(200);
    expect(claimsOf(switched.body.access_token)).toMatchObject({ tid: south, role: 'admin' });
    // The token scoped to the old school stops working; the new one works.
    const stale = await me(tokens.access_token);
    expect(stale.status).toBe(401);
    expect(stale.body.error_code).toBe('AUTH_TOKEN_INVALID');
    expect((await me(switched.body.access_token)).status).toBe(200);
    // Refreshing keeps the new school.
    const refreshed = await requestJson<Tokens>(`${t.baseUrl}/api/v1/auth/refresh`, {
      method: 'POST',
      json: { refresh_token: switched.body.refresh_token },
    });
    expect(claimsOf(refreshed.body.access_token)).toMatchObject({ tid: south, role: 'admin' });

    const notMember = await requestJson(`${t.baseUrl}/api/v1/auth/switch-tenant`, {
      method: 'POST',
      headers: bearer(refreshed.body.access_token),
      json: { tenant_id: await createTenant(t) },
    });
    expect(notMember.status).toBe(403);
    expect(notMember.body.error_code).toBe('AUTH_NOT_A_MEMBER');
    const unknown = await requestJson(`${t.baseUrl}/api/v1/auth/switch-tenant`, {
      method: 'POST',
      headers: bearer(refreshed.body.access_token),
      json: { tenant_id: 'no_such_school' },
    });
    expect(unknown.status).toBe(403);
  });

  it('should use the role from the membership, not the one frozen in the token', async () => {
    const school = await createTenant(t);
    const user = await createUser(t, { tenant: school, role: 'teacher' });
    const tokens = await login(t, user);
    await query(t.databaseUrl, `UPDATE memberships SET status = 'suspended' WHERE user_id = $1`, [
      user.id,
    ]);
    const refused = await waitFor(
      async () => {
        const response = await me(tokens.access_token);
        return response.status === 403 ? response : undefined;
      },
      { timeoutMs: 7000 },
    );
    expect(refused.body.error_code).toBe('AUTH_NOT_A_MEMBER');
  });
});

describe('session lifetime', () => {
  let t: TestApp;
  const clock = new ManualClock();
  const refresh = (token: string) =>
    requestJson<Tokens & { error_code?: string }>(`${t.baseUrl}/api/v1/auth/refresh`, {
      method: 'POST',
      json: { refresh_token: token },
    });

  beforeAll(async () => {
    t = await startTestApp({ clock });
  });

  afterAll(async () => {
    await t.close();
  });

  it('should keep a session used within 7 days, and end one idle for longer', async () => {
    const user = await createUser(t);
    const tokens = await login(t, user);
    clock.advance(6 * 24 * 3600_000);
    const renewed = await refresh(tokens.refresh_token);
    expect(renewed.status).toBe(200);
    clock.advance(6 * 24 * 3600_000);
    const again = await refresh(renewed.body.refresh_token);
    expect(again.status).toBe(200);
    clock.advance(7 * 24 * 3600_000 + 1000);
    const expired = await refresh(again.body.refresh_token);
    expect(expired.status).toBe(401);
    expect(expired.body.error_code).toBe('AUTH_REFRESH_TOKEN_INVALID');
  });

  it('should treat a second use of a token after the 10 s grace window as reuse', async () => {
    const user = await createUser(t);
    const tokens = await login(t, user);
    expect((await refresh(tokens.refresh_token)).status).toBe(200);
    clock.advance(11_000);
    const late = await refresh(tokens.refresh_token);
    expect(late.status).toBe(401);
    expect(late.body.error_code).toBe('AUTH_REFRESH_TOKEN_REUSED');
  });
});

describe('revocation across instances', () => {
  let a: TestApp;
  let b: TestApp;
  const meOn = (app: TestApp, token: string) =>
    requestJson(`${app.baseUrl}/api/v1/users/me`, { headers: bearer(token) });

  beforeAll(async () => {
    a = await startTestApp();
    b = await startTestApp({ databaseUrl: a.databaseUrl });
  });

  afterAll(async () => {
    await b.close();
    await a.close();
  });

  it('should refuse a logged-out token at once here and within 5 s on another instance', async () => {
    const user = await createUser(a);
    const tokens = await login(a, user);
    expect((await meOn(b, tokens.access_token)).status).toBe(200);
    await requestJson(`${a.baseUrl}/api/v1/auth/logout`, {
      method: 'POST',
      headers: bearer(tokens.access_token),
    });
    const started = Date.now();
    expect((await meOn(a, tokens.access_token)).status).toBe(401);
    await waitFor(async () => (await meOn(b, tokens.access_token)).status === 401, {
      timeoutMs: 8000,
      intervalMs: 200,
    });
    expect(Date.now() - started).toBeLessThan(5500);
  });

  it('should refuse a deactivated user everywhere within 5 s', async () => {
    const user = await createUser(a);
    const tokens = await login(a, user);
    expect((await meOn(a, tokens.access_token)).status).toBe(200);
    expect((await meOn(b, tokens.access_token)).status).toBe(200);
    await query(a.databaseUrl, `UPDATE users SET is_active = false WHERE id = $1`, [user.id]);
    const started = Date.now();
    for (const app of [a, b]) {
      const refused = await waitFor(
        async () => {
          const response = await meOn(app, tokens.access_token);
          return response.status === 403 ? response : undefined;
        },
        { timeoutMs: 8000, intervalMs: 200 },
      );
      expect(refused.body.error_code).toBe('AUTH_ACCOUNT_DISABLED');
    }
    expect(Date.now() - started).toBeLessThan(5500);
  });
});

describe('revocation across instances sharing Redis', () => {
  let a: TestApp;
  let b: TestApp;
  const env = {
    REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    QUEUE_BACKEND: 'postgres',
    RATE_LIMIT_REDIS_PREFIX: `test:${randomUUID().slice(0, 8)}:`,
  };
  const meOn = (app: TestApp, token: string) =>
    requestJson(`${app.baseUrl}/api/v1/users/me`, { headers: bearer(token) });

  beforeAll(async () => {
    a = await startTestApp({ env });
    b = await startTestApp({ env, databaseUrl: a.databaseUrl });
  });

  afterAll(async () => {
    await b.close();
    await a.close();
  });

  it('should refuse a logged-out token on the other instance within a second', async () => {
    const user = await createUser(a);
    const tokens = await login(a, user);
    expect((await meOn(b, tokens.access_token)).status).toBe(200);
    await requestJson(`${a.baseUrl}/api/v1/auth/logout`, {
      method: 'POST',
      headers: bearer(tokens.access_token),
    });
    const started = Date.now();
    await waitFor(async () => (await meOn(b, tokens.access_token)).status === 401, {
      timeoutMs: 8000,
      intervalMs: 50,
    });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('should show a profile change on the other instance within a second', async () => {
    const user = await createUser(a);
    const tokens = await login(a, user);
    expect((await meOn(b, tokens.access_token)).body.full_name).toBe('Test Person');
    await requestJson(`${a.baseUrl}/api/v1/users/me`, {
      method: 'PATCH',
      headers: bearer(tokens.access_token),
      json: { full_name: 'Renamed Person' },
    });
    const started = Date.now();
    await waitFor(
      async () => (await meOn(b, tokens.access_token)).body.full_name === 'Renamed Person',
      { timeoutMs: 8000, intervalMs: 50 },
    );
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('signing key rotation', () => {
  it('should keep tokens of the previous key valid and publish both keys', async () => {
    const first = await startTestApp();
    const user = await createUser(first);
    const oldTokens = await login(first, user);
    const oldKey = process.env.JWT_PRIVATE_KEY ?? '';
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const newPem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const oldPublic = (await import('node:crypto'))
      .createPublicKey(oldKey)
      .export({ format: 'pem', type: 'spki' })
      .toString();
    const rotated = await startTestApp({
      databaseUrl: first.databaseUrl,
      env: { JWT_PRIVATE_KEY: newPem, JWT_PREVIOUS_PUBLIC_KEYS: oldPublic },
    });
    const withoutOld = await startTestApp({
      databaseUrl: first.databaseUrl,
      env: { JWT_PRIVATE_KEY: newPem },
    });
    try {
      const jwks = await requestJson<{ keys: Array<{ kid: string }> }>(
        `${rotated.baseUrl}/.well-known/jwks.json`,
      );
      expect(jwks.body.keys).toHaveLength(2);
      const accepted = await requestJson(`${rotated.baseUrl}/api/v1/users/me`, {
        headers: bearer(oldTokens.access_token),
      });
      expect(accepted.status).toBe(200);
      const newTokens = await login(rotated, user);
      const header = JSON.parse(
        Buffer.from(newTokens.access_token.split('.')[0] ?? '', 'base64url').toString(),
      ) as { kid: string; alg: string };
      expect(header.alg).toBe('RS256');
      expect(jwks.body.keys[0]?.kid).toBe(header.kid);
      expect(publicKey.asymmetricKeyType).toBe('rsa');
      const refused = await requestJson(`${withoutOld.baseUrl}/api/v1/users/me`, {
        headers: bearer(oldTokens.access_token),
      });
      expect(refused.status).toBe(401);
      expect(refused.body.error_code).toBe('AUTH_TOKEN_INVALID');
    } finally {
      await withoutOld.close();
      await rotated.close();
      await first.close();
    }
  });
});
