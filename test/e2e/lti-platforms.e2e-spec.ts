import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, createUser, login, type Tokens } from '../factories/accounts.js';
import { createSchool } from '../factories/classes.js';
import { query } from '../support/database-client.js';
import { requestJson } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

interface ErrorView {
  error_code?: string;
  details?: Record<string, unknown> & { fields?: Array<{ field: string }> };
}
interface DeploymentView {
  deployment_id: string;
  status: string;
}
interface PlatformView extends ErrorView {
  id: string;
  tenant_id: string;
  issuer: string;
  client_id: string;
  status: string;
  product: string;
  display_name: string;
  deployments: DeploymentView[];
}

type School = Awaited<ReturnType<typeof createSchool>>;

const PUBLIC_URL = 'https://tool.dreamseed.test';

describe('LTI platform registrations (/api/v1/lti)', () => {
  let t: TestApp;
  let north: School;
  let south: School;
  let superAdmin: Tokens;

  const api = (path: string) => `${t.baseUrl}/api/v1/lti${path}`;
  const call = <T = PlatformView>(
    token: string | undefined,
    method: string,
    path: string,
    json?: unknown,
  ) => requestJson<T & ErrorView>(api(path), { method, headers: token ? bearer(token) : {}, json });
  let counter = 0;
  const registration = (overrides: Record<string, unknown> = {}) => {
    counter += 1;
    return {
      issuer: `https://lms${counter}.school.test`,
      client_id: `client-${counter}`,
      auth_login_url: `https://lms${counter}.school.test/auth`,
      token_url: `https://lms${counter}.school.test/token`,
      jwks_url: `https://lms${counter}.school.test/jwks`,
      display_name: `LMS ${counter}`,
      product: 'moodle',
      deployment_ids: ['dep-1'],
      ...overrides,
    };
  };
  const register = async (school: School, overrides: Record<string, unknown> = {}) => {
    const response = await call(
      school.admin.tokens.access_token,
      'POST',
      '/platforms',
      registration(overrides),
    );
    expect(response.status).toBe(201);
    return response.body;
  };

  beforeAll(async () => {
    t = await startTestApp({ env: { PUBLIC_URL } });
    north = await createSchool(t);
    south = await createSchool(t);
    superAdmin = await login(t, await createUser(t, { superAdmin: true }));
  });

  afterAll(async () => {
    await t.close();
  });

  describe('POST /lti/platforms', () => {
    it("should register an LMS for the admin's school, with its trusted deployments", async () => {
      const body = await register(north);
      expect(body).toMatchObject({
        tenant_id: north.tenant,
        status: 'active',
        product: 'moodle',
        deployments: [{ deployment_id: 'dep-1', status: 'approved' }],
      });
    });

    it('should let a super admin register one for any school, and require the school', async () => {
      const created = await call(superAdmin.access_token, 'POST', '/platforms', {
        ...registration(),
        tenant_id: south.tenant,
      });
      expect(created.status).toBe(201);
      expect(created.body.tenant_id).toBe(south.tenant);
      const unnamed = await call(superAdmin.access_token, 'POST', '/platforms', registration());
      expect(unnamed.status).toBe(400);
      const unknown = await call(superAdmin.access_token, 'POST', '/platforms', {
        ...registration(),
        tenant_id: 'no_such_school',
      });
      expect(unknown.status).toBe(400);
    });

    it('should refuse an (issuer, client_id) another school registered, and allow another client_id of the issuer', async () => {
      const first = await register(north, {
        issuer: 'https://canvas.instructure.com',
        client_id: '10000000000001',
      });
      const again = await call(
        south.admin.tokens.access_token,
        'POST',
        '/platforms',
        registration({ issuer: first.issuer, client_id: first.client_id }),
      );
      expect(again.status).toBe(409);
      expect(again.body.error_code).toBe('LTI_PLATFORM_EXISTS');
      const second = await call(
        south.admin.tokens.access_token,
        'POST',
        '/platforms',
        registration({ issuer: first.issuer, client_id: '10000000000002' }),
      );
      expect(second.status).toBe(201);
    });

    it.each([
      ['a teacher', (s: School) => s.teacher.tokens.access_token, 403],
      ['a student', (s: School) => s.student.tokens.access_token, 403],
      ['nobody signed in', () => undefined, 401],
    ])('should refuse %s', async (_who, token, status) => {
      const response = await call(token(north), 'POST', '/platforms', registration());
      expect(response.status).toBe(status);
    });

    it("should refuse a school admin naming another school's tenant_id", async () => {
      const response = await call(north.admin.tokens.access_token, 'POST', '/platforms', {
        ...registration(),
        tenant_id: south.tenant,
      });
      expect(response.status).toBe(403);
    });

    it.each<[string, Record<string, unknown>]>([
      ['an issuer that is not a URL', { issuer: 'canvas' }],
      ['a javascript: login URL', { auth_login_url: 'javascript:alert(1)' }],
      ['no client_id', { client_id: undefined }],
      ['an empty client_id', { client_id: '' }],
      ['an unknown product', { product: 'blackbored' }],
      ['too many deployments', { deployment_ids: Array.from({ length: 101 }, (_, i) => `d${i}`) }],
      ['a deployment that is not a string', { deployment_ids: [42] }],
      ['a display name over 100 characters', { display_name: 'x'.repeat(101) }],
      ['a client_id over 255 characters', { client_id: 'c'.repeat(256) }],
      ['an unknown field', { private_key: 'nope' }],
    ])('should refuse %s with the 400 envelope', async (_case, change) => {
      const response = await call(
        north.admin.tokens.access_token,
        'POST',
        '/platforms',
        registration(change),
      );
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ error_code: 'COMMON_VALIDATION_FAILED' });
      expect(Object.keys(response.body).sort()).toEqual([
        'details',
        'error_code',
        'message',
        'request_id',
        'timestamp',
      ]);
    });
  });

  describe('GET /lti/platforms and /lti/platforms/:id', () => {
    it("should list only the admin's school's registrations; super admins see any school's", async () => {
      const mine = await register(north);
      const theirs = await register(south);
      const list = await call<{ items: PlatformView[]; total: number }>(
        north.admin.tokens.access_token,
        'GET',
        '/platforms?limit=100',
      );
      expect(list.status).toBe(200);
      const ids = list.body.items.map((item) => item.id);
      expect(ids).toContain(mine.id);
      expect(ids).not.toContain(theirs.id);
      const southList = await call<{ items: PlatformView[] }>(
        superAdmin.access_token,
        'GET',
        `/platforms?tenant_id=${south.tenant}&limit=100`,
      );
      expect(southList.body.items.map((item) => item.id)).toContain(theirs.id);
      expect(
        (await call(north.admin.tokens.access_token, 'GET', `/platforms?tenant_id=${south.tenant}`))
          .status,
      ).toBe(403);
    });

    it("should answer 404 for another school's registration, as for a missing one", async () => {
      const theirs = await register(south);
      for (const [method, path] of [
        ['GET', `/platforms/${theirs.id}`],
        ['PATCH', `/platforms/${theirs.id}`],
        ['DELETE', `/platforms/${theirs.id}`],
        ['POST', `/platforms/${theirs.id}/approve`],
        ['GET', `/platforms/${theirs.id}/deployments`],
        ['PUT', `/platforms/${theirs.id}/deployments/dep-9`],
        ['GET', `/platforms/${theirs.id}/launches`],
        ['GET', `/platforms/${theirs.id}/config`],
        ['GET', `/platforms/${randomUUID()}`],
      ] as const) {
        const response = await call(
          north.admin.tokens.access_token,
          method,
          path,
          method === 'PUT'
            ? { status: 'approved' }
            : method === 'PATCH'
              ? { display_name: 'mine now' }
              : undefined,
        );
        expect({ method, path, status: response.status, code: response.body.error_code }).toEqual({
          method,
          path,
          status: 404,
          code: 'LTI_PLATFORM_NOT_FOUND',
        });
      }
      const still = await call(south.admin.tokens.access_token, 'GET', `/platforms/${theirs.id}`);
      expect(still.body.display_name).toBe(theirs.display_name);
    });

    it('should refuse a teacher every admin route', async () => {
      const mine = await register(north);
      for (const [method, path] of [
        ['GET', '/platforms'],
        ['GET', `/platforms/${mine.id}`],
        ['GET', `/platforms/${mine.id}/launches`],
        ['POST', '/registration-links'],
      ] as const) {
        expect(
          (
            await call(
              north.teacher.tokens.access_token,
              method,
              path,
              method === 'POST' ? {} : undefined,
            )
          ).status,
        ).toBe(403);
      }
    });

    it('should refuse a malformed id with the 400 envelope', async () => {
      const response = await call(north.admin.tokens.access_token, 'GET', '/platforms/not-a-uuid');
      expect(response.status).toBe(400);
    });
  });

  describe('PATCH, approve and DELETE /lti/platforms/:id', () => {
    it('should change the URLs and name, and turn launches off and on', async () => {
      const mine = await register(north);
      const changed = await call(
        north.admin.tokens.access_token,
        'PATCH',
        `/platforms/${mine.id}`,
        { display_name: 'Renamed', status: 'disabled' },
      );
      expect(changed.status).toBe(200);
      expect(changed.body).toMatchObject({
        display_name: 'Renamed',
        status: 'disabled',
        issuer: mine.issuer,
      });
      const unknown = await call(
        north.admin.tokens.access_token,
        'PATCH',
        `/platforms/${mine.id}`,
        { issuer: 'https://other.test' },
      );
      expect(unknown.status).toBe(400);
    });

    it('should approve a dynamic registration once, and never by a PATCH', async () => {
      const mine = await register(north);
      await query(
        t.databaseUrl,
        `UPDATE lti_platforms SET status = 'awaiting_approval', registered_via = 'dynamic' WHERE id = $1`,
        [mine.id],
      );
      const patched = await call(
        north.admin.tokens.access_token,
        'PATCH',
        `/platforms/${mine.id}`,
        { status: 'active' },
      );
      expect(patched.body.error_code).toBe('LTI_PLATFORM_NOT_AWAITING_APPROVAL');
      const approved = await call(
        north.admin.tokens.access_token,
        'POST',
        `/platforms/${mine.id}/approve`,
      );
      expect(approved.status).toBe(200);
      expect(approved.body.status).toBe('active');
      const again = await call(
        north.admin.tokens.access_token,
        'POST',
        `/platforms/${mine.id}/approve`,
      );
      expect(again.status).toBe(409);
    });

    it('should delete a registration', async () => {
      const mine = await register(north);
      expect(
        (await call(north.admin.tokens.access_token, 'DELETE', `/platforms/${mine.id}`)).status,
      ).toBe(204);
      expect(
        (await call(north.admin.tokens.access_token, 'GET', `/platforms/${mine.id}`)).status,
      ).toBe(404);
    });
  });

  describe('deployments', () => {
    it('should list pending deployments and approve or refuse them', async () => {
      const mine = await register(north);
      await query(
        t.databaseUrl,
        `INSERT INTO lti_deployments (platform_id, deployment_id, status) VALUES ($1, 'dep-new', 'pending'), ($1, 'dep-odd', 'pending')`,
        [mine.id],
      );
      const pending = await call<DeploymentView[]>(
        north.admin.tokens.access_token,
        'GET',
        `/platforms/${mine.id}/deployments?status=pending`,
      );
      expect(pending.body.map((d) => d.deployment_id).sort()).toEqual(['dep-new', 'dep-odd']);
      const approved = await call<DeploymentView>(
        north.admin.tokens.access_token,
        'PUT',
        `/platforms/${mine.id}/deployments/dep-new`,
        { status: 'approved' },
      );
      expect(approved.body).toMatchObject({ deployment_id: 'dep-new', status: 'approved' });
      const refused = await call<DeploymentView>(
        north.admin.tokens.access_token,
        'PUT',
        `/platforms/${mine.id}/deployments/dep-odd`,
        { status: 'refused' },
      );
      expect(refused.body.status).toBe('refused');
      expect(
        (
          await call(
            north.admin.tokens.access_token,
            'PUT',
            `/platforms/${mine.id}/deployments/dep-odd`,
            { status: 'maybe' },
          )
        ).status,
      ).toBe(400);
      expect(
        (
          await call(
            north.admin.tokens.access_token,
            'DELETE',
            `/platforms/${mine.id}/deployments/dep-odd`,
          )
        ).status,
      ).toBe(204);
      expect(
        (
          await call(
            north.admin.tokens.access_token,
            'DELETE',
            `/platforms/${mine.id}/deployments/dep-odd`,
          )
        ).status,
      ).toBe(404);
    });
  });

  describe('GET /lti/platforms/:id/launches', () => {
    it('should show accepted and refused launches, newest first, with the failed check', async () => {
      const mine = await register(north);
      await query(
        t.databaseUrl,
        `INSERT INTO lti_launches (platform_id, tenant_id, deployment_id, user_id, subject, message_type, role, created_at) VALUES ($1, $2, 'dep-1', $3, 'sub-1', 'LtiResourceLinkRequest', 'student', now() - interval '1 minute')`,
        [mine.id, north.tenant, north.student.user.id],
      );
      await query(
        t.databaseUrl,
        `INSERT INTO lti_launch_failures (platform_id, tenant_id, error_code, subject, deployment_id) VALUES ($1, $2, 'LTI_DEPLOYMENT_PENDING', 'sub-2', 'dep-x')`,
        [mine.id, north.tenant],
      );
      const response = await call<{ items: Array<Record<string, unknown>> }>(
        north.admin.tokens.access_token,
        'GET',
        `/platforms/${mine.id}/launches`,
      );
      expect(response.status).toBe(200);
      expect(response.body.items).toMatchObject([
        {
          outcome: 'refused',
          error_code: 'LTI_DEPLOYMENT_PENDING',
          subject: 'sub-2',
          deployment_id: 'dep-x',
        },
        {
          outcome: 'accepted',
          error_code: null,
          user_id: north.student.user.id,
          user_name: expect.any(String),
          role: 'student',
        },
      ]);
      expect(
        (
          await call(
            north.admin.tokens.access_token,
            'GET',
            `/platforms/${mine.id}/launches?limit=0`,
          )
        ).status,
      ).toBe(400);
    });
  });

  describe('configuration', () => {
    it('should give the generic configuration publicly, from PUBLIC_URL only', async () => {
      const response = await requestJson<Record<string, unknown>>(`${t.baseUrl}/lti/config`, {
        headers: { host: 'evil.test' },
      });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        login_url: `${PUBLIC_URL}/lti/login`,
        redirect_uris: [`${PUBLIC_URL}/lti/launch`],
        jwks_url: `${PUBLIC_URL}/lti/jwks`,
        domain: 'tool.dreamseed.test',
        canvas: {
          oidc_initiation_url: `${PUBLIC_URL}/lti/login`,
          public_jwk_url: `${PUBLIC_URL}/lti/jwks`,
        },
      });
    });

    it("should give a registration's configuration with its client and deployments", async () => {
      const mine = await register(north);
      const response = await call<Record<string, unknown>>(
        north.admin.tokens.access_token,
        'GET',
        `/platforms/${mine.id}/config`,
      );
      expect(response.body).toMatchObject({
        client_id: mine.client_id,
        issuer: mine.issuer,
        deployments: [{ deployment_id: 'dep-1' }],
      });
    });
  });

  describe('POST /lti/registration-links', () => {
    it('should return a one-use URL, keep only its hash, and keep the token out of the audit trail', async () => {
      const response = await call<{ url: string; expires_at: string }>(
        north.admin.tokens.access_token,
        'POST',
        '/registration-links',
        {},
      );
      expect(response.status).toBe(201);
      const url = new URL(response.body.url);
      expect(`${url.origin}${url.pathname}`).toBe(`${PUBLIC_URL}/lti/register`);
      const token = url.searchParams.get('registration_link') ?? '';
      expect(token).toMatch(/^[\w-]{43}$/);
      const [row] = await query<{ tenant_id: string }>(
        t.databaseUrl,
        `SELECT tenant_id FROM lti_registration_links WHERE token_hash = $1`,
        [createHash('sha256').update(token).digest('hex')],
      );
      expect(row.tenant_id).toBe(north.tenant);
      await new Promise((resolve) => setTimeout(resolve, 400));
      const audit = await query<{ row: string }>(
        t.databaseUrl,
        `SELECT row_to_json(a)::text AS row FROM audit_logs a WHERE action = 'lti.registration_link_created'`,
      );
      expect(audit.length).toBeGreaterThan(0);
      expect(audit.some((entry) => entry.row.includes(token))).toBe(false);
    });

    it('should refuse a school admin naming another school, and let a super admin name any', async () => {
      expect(
        (
          await call(north.admin.tokens.access_token, 'POST', '/registration-links', {
            tenant_id: south.tenant,
          })
        ).status,
      ).toBe(403);
      expect(
        (
          await call(superAdmin.access_token, 'POST', '/registration-links', {
            tenant_id: south.tenant,
          })
        ).status,
      ).toBe(201);
      expect((await call(superAdmin.access_token, 'POST', '/registration-links', {})).status).toBe(
        400,
      );
    });
  });
});
