import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  bearer,
  createTenant,
  createUser,
  login,
  mailTo,
  tokenFromMail,
  uniqueEmail,
  type Tokens,
} from '../factories/accounts.js';
import { requestJson } from '../support/http.js';
import { ManualClock } from '../support/manual-clock.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

interface Invitation {
  id: string;
  status: string;
  role: string;
  email: string;
  error_code?: string;
}

describe('invitations', () => {
  let t: TestApp;
  const clock = new ManualClock();
  let north: string;
  let south: string;
  let admin: Tokens;
  let southAdmin: Tokens;
  let teacher: Tokens;
  const api = (path: string) => `${t.baseUrl}/api/v1${path}`;
  const invite = (token: string, body: Record<string, unknown>) =>
    requestJson<Invitation>(api('/invitations'), {
      method: 'POST',
      headers: bearer(token),
      json: body,
    });
  const accept = (body: Record<string, unknown>, token?: string) =>
    requestJson<{ account_created: boolean; role: string; tenant_id: string; error_code?: string }>(
      api('/invitations/accept'),
      { method: 'POST', json: body, headers: token ? bearer(token) : {} },
    );
  const mailedToken = async (email: string) =>
    tokenFromMail(await mailTo(t, email, 'You are invited to'));

  beforeAll(async () => {
    t = await startTestApp({ clock });
    north = await createTenant(t, { name: 'North School' });
    south = await createTenant(t);
    admin = await login(t, await createUser(t, { tenant: north, role: 'admin' }));
    southAdmin = await login(t, await createUser(t, { tenant: south, role: 'admin' }));
    teacher = await login(t, await createUser(t, { tenant: north, role: 'teacher' }));
  });

  afterAll(async () => {
    await t.close();
  });

  it('should make an account from an invitation once, with the invited role', async () => {
    const email = uniqueEmail('invitee');
    const created = await invite(admin.access_token, {
      email,
      role: 'teacher',
      expires_in_days: 3,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'pending', role: 'teacher', email });
    const token = await mailedToken(email);
    const body = { token, password: 'Seed-2026-garden', full_name: 'New Teacher' };
    const first = await accept(body);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ account_created: true, role: 'teacher', tenant_id: north });
    const second = await accept(body);
    expect(second.status).toBe(400);
    expect(second.body.error_code).toBe('INVITATION_INVALID');
    const signedIn = await login(t, { email, password: 'Seed-2026-garden' });
    expect(signedIn.user.memberships).toEqual([
      expect.objectContaining({ tenant_id: north, role: 'teacher' }),
    ]);
    const listed = await requestJson<Invitation[]>(api('/invitations'), {
      headers: bearer(admin.access_token),
    });
    expect(listed.body.find((i) => i.id === created.body.id)?.status).toBe('accepted');
  });

  it('should send an invitation from POST /users with invite: true', async () => {
    const email = uniqueEmail('invited-by-users');
    const response = await requestJson<Invitation>(api('/users'), {
      method: 'POST',
      headers: bearer(admin.access_token),
      json: { email, full_name: 'Invited Person', role: 'student', invite: true },
    });
    expect(response.status).toBe(202);
    expect(response.body).toMatchObject({ email, status: 'pending', role: 'student' });
    expect(await mailedToken(email)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('should refuse an expired invitation', async () => {
    const email = uniqueEmail('late');
    await invite(admin.access_token, { email, role: 'student', expires_in_days: 1 });
    const token = await mailedToken(email);
    clock.advance(24 * 3600_000 + 1000);
    const late = await accept({ token, password: 'Seed-2026-garden', full_name: 'Late Student' });
    expect(late.status).toBe(400);
    expect(late.body.error_code).toBe('INVITATION_INVALID');
  });

  it('should add a membership to an existing account only when its owner is signed in', async () => {
    const existing = await createUser(t, { tenant: south, role: 'student' });
    await invite(admin.access_token, { email: existing.email, role: 'student' });
    const token = await mailedToken(existing.email);
    const anonymous = await accept({ token, password: 'Seed-2026-garden', full_name: 'Someone' });
    expect(anonymous.status).toBe(409);
    expect(anonymous.body.error_code).toBe('INVITATION_SIGN_IN_REQUIRED');
    const stranger = await login(t, await createUser(t));
    const wrongPerson = await accept({ token }, stranger.access_token);
    expect(wrongPerson.status).toBe(403);
    expect(wrongPerson.body.error_code).toBe('INVITATION_EMAIL_MISMATCH');
    const owner = await login(t, existing);
    const joined = await accept({ token }, owner.access_token);
    expect(joined.status).toBe(201);
    expect(joined.body.account_created).toBe(false);
    const again = await login(t, existing);
    expect(again.user.memberships.map((m) => m.tenant_id).sort()).toEqual([north, south].sort());
    const member = await invite(admin.access_token, { email: existing.email, role: 'teacher' });
    expect(member.status).toBe(409);
  });

  it('should refuse a revoked invitation, and keep other tenants and roles out', async () => {
    const email = uniqueEmail('revoked');
    const created = await invite(admin.access_token, { email, role: 'student' });
    const token = await mailedToken(email);
    const foreign = await requestJson(api(`/invitations/${created.body.id}`), {
      method: 'DELETE',
      headers: bearer(southAdmin.access_token),
    });
    expect(foreign.status).toBe(404);
    const revoked = await requestJson(api(`/invitations/${created.body.id}`), {
      method: 'DELETE',
      headers: bearer(admin.access_token),
    });
    expect(revoked.status).toBe(204);
    expect(
      (await accept({ token, password: 'Seed-2026-garden', full_name: 'Nobody' })).status,
    ).toBe(400);
    expect(
      (await invite(teacher.access_token, { email: uniqueEmail(), role: 'student' })).status,
    ).toBe(403);
    expect(
      (await requestJson(api('/invitations'), { headers: bearer(teacher.access_token) })).status,
    ).toBe(403);
    const southList = await requestJson<Invitation[]>(api('/invitations'), {
      headers: bearer(southAdmin.access_token),
    });
    expect(southList.body.map((i) => i.email)).not.toContain(email);
  });

  it.each([
    [{ email: 'not-an-email', role: 'student' }],
    [{ email: 'a@school.test', role: 'super_admin' }],
    [{ email: 'a@school.test', role: 'student', expires_in_days: 15 }],
    [{ email: 'a@school.test', role: 'student', expires_in_days: 0 }],
    [{ email: 'a@school.test', role: 'student', tenant_id: 'Not A Tenant' }],
  ])('should refuse invitation %j with 400', async (body) => {
    expect((await invite(admin.access_token, body)).status).toBe(400);
  });

  it.each([
    [{}],
    [{ token: 'short' }],
    [{ token: 'x'.repeat(40), password: 'weak', full_name: 'Weak Password' }],
    [{ token: 'x'.repeat(40), password: 'Seed-2026-garden', full_name: 'A', role: 'admin' }],
  ])('should refuse acceptance %j with 400', async (body) => {
    expect((await accept(body)).status).toBe(400);
  });
});
