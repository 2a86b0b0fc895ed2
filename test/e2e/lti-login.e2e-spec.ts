import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTenant } from '../factories/accounts.js';
import { registerPlatform } from '../factories/lti.js';
import { query } from '../support/database-client.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const PUBLIC_URL = 'https://tool.dreamseed.test';
const ISSUER = 'https://lms.school.test';

async function get(t: TestApp, path: string, params: Record<string, string>) {
  const response = await fetch(`${t.baseUrl}${path}?${new URLSearchParams(params).toString()}`, {
    redirect: 'manual',
  });
  return { status: response.status, headers: response.headers, body: await response.text() };
}

describe('LTI login initiation (GET|POST /lti/login)', () => {
  let t: TestApp;
  let tenant: string;

  beforeAll(async () => {
    t = await startTestApp({ env: { PUBLIC_URL } });
    tenant = await createTenant(t);
    await registerPlatform(t, tenant, {
      issuer: ISSUER,
      clientId: 'tool-client',
      authLoginUrl: `${ISSUER}/auth`,
      jwksUrl: `${ISSUER}/jwks`,
      deploymentIds: ['dep-1'],
    });
  });

  afterAll(async () => {
    await t.close();
  });

  const valid = {
    iss: ISSUER,
    login_hint: 'user-42',
    target_link_uri: `${PUBLIC_URL}/lti/launch`,
    lti_message_hint: 'opaque-hint',
    lti_deployment_id: 'dep-1',
    client_id: 'tool-client',
  };

  it('should redirect to the platform with a fresh state and nonce, and bind them to the browser', async () => {
    const response = await get(t, '/lti/login', valid);
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('location') ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(`${ISSUER}/auth`);
    const params = Object.fromEntries(location.searchParams);
    expect(params).toMatchObject({
      scope: 'openid',
      response_type: 'id_token',
      response_mode: 'form_post',
      prompt: 'none',
      client_id: 'tool-client',
      redirect_uri: `${PUBLIC_URL}/lti/launch`,
      login_hint: 'user-42',
      lti_message_hint: 'opaque-hint',
    });
    expect(params.state).toMatch(/^[\w-]{43}$/);
    expect(params.nonce).toMatch(/^[\w-]{32}$/);
    const cookie = response.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(
      /^lti_state_[0-9a-f]{16}=[\w-]{43}; Path=\/lti; Max-Age=600; HttpOnly; Secure; SameSite=None; Partitioned$/,
    );
    // Only hashes are kept: neither the state nor the cookie's value is in the database.
    const rows = await query<{ state_hash: string; deployment_id: string }>(
      t.databaseUrl,
      `SELECT state_hash, deployment_id FROM lti_login_states`,
    );
    expect(rows.some((row) => row.state_hash === params.state)).toBe(false);
    expect(rows.some((row) => row.deployment_id === 'dep-1')).toBe(true);
  });

  it('should give two logins different states and nonces', async () => {
    const [a, b] = await Promise.all([get(t, '/lti/login', valid), get(t, '/lti/login', valid)]);
    const first = new URL(a.headers.get('location') ?? '').searchParams;
    const second = new URL(b.headers.get('location') ?? '').searchParams;
    expect(first.get('state')).not.toBe(second.get('state'));
    expect(first.get('nonce')).not.toBe(second.get('nonce'));
  });

  it('should accept the login as a form post', async () => {
    const response = await fetch(`${t.baseUrl}/lti/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(valid).toString(),
    });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toContain(`${ISSUER}/auth?`);
  });

  it('should answer a platform-storage page when the LMS names a storage target', async () => {
    const response = await get(t, '/lti/login', { ...valid, lti_storage_target: '_parent' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(response.headers.get('x-frame-options')).toBeNull();
    expect(response.headers.get('content-security-policy')).toContain('frame-ancestors *');
    expect(response.body).toContain(`data-origin="${ISSUER}"`);
    expect(response.body).toContain('data-step="store"');
    expect(response.body).toContain('src="/lti/storage.js"');
    expect(response.body).not.toMatch(/<script>(?!<\/script>)/);
  });

  it.each([
    ['an unknown issuer', { iss: 'https://unknown.test' }, 'LTI_UNKNOWN_ISSUER'],
    ['another client id of the issuer', { client_id: 'someone-else' }, 'LTI_UNKNOWN_ISSUER'],
    ['no login_hint', { login_hint: '' }, 'LTI_LOGIN_INVALID'],
    ['no target_link_uri', { target_link_uri: '' }, 'LTI_LOGIN_INVALID'],
    [
      'a target on another host',
      { target_link_uri: 'https://evil.test/lti/launch' },
      'LTI_TARGET_LINK_NOT_ALLOWED',
    ],
    [
      'a target on a look-alike host',
      { target_link_uri: 'https://tool.dreamseed.test.evil.test/' },
      'LTI_TARGET_LINK_NOT_ALLOWED',
    ],
    [
      'a target that is not a URL',
      { target_link_uri: 'javascript:alert(1)' },
      'LTI_TARGET_LINK_NOT_ALLOWED',
    ],
  ])('should refuse %s with a clear page', async (_case, change, code) => {
    const response = await get(t, '/lti/login', { ...valid, ...change });
    expect(response.status).toBe(400);
    expect(response.headers.get('x-error-code')).toBe(code);
    expect(response.headers.get('location')).toBeNull();
    expect(response.headers.get('set-cookie')).toBeNull();
    expect(response.body).toContain('DreamSeed could not open here');
    expect(response.body).toContain(code);
    expect(response.body).not.toMatch(/at \w+ \(|node_modules|stack/i);
  });

  it('should refuse a registration that awaits approval', async () => {
    await registerPlatform(t, tenant, {
      issuer: 'https://pending.lms.test',
      clientId: 'c',
      authLoginUrl: 'https://pending.lms.test/auth',
      jwksUrl: 'https://pending.lms.test/jwks',
      status: 'awaiting_approval',
    });
    const response = await get(t, '/lti/login', {
      ...valid,
      iss: 'https://pending.lms.test',
      client_id: 'c',
    });
    expect(response.headers.get('x-error-code')).toBe('LTI_PLATFORM_NOT_ACTIVE');
  });

  it('should refuse a form post to the JSON API (415), so forms reach only the LTI routes', async () => {
    const response = await fetch(`${t.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'email=a%40b.test&password=x',
    });
    expect(response.status).toBe(415);
    expect(((await response.json()) as { error_code: string }).error_code).toBe(
      'COMMON_UNSUPPORTED_MEDIA_TYPE',
    );
  });
});
