import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, createUser, login, type Tokens } from '../factories/accounts.js';
import { createSchool } from '../factories/classes.js';
import { query } from '../support/database-client.js';
import { requestJson } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

interface Answer {
  error_code?: string;
  [key: string]: unknown;
}
interface Operation {
  tags?: string[];
  responses: Record<
    string,
    { description?: string; content?: Record<string, { examples?: Record<string, unknown> }> }
  >;
}

/** Every payment route, as the OpenAPI document names it, and a path to call it on. */
const ROUTES: Array<[string, string, string]> = [
  ['GET', '/api/v1/plans', '/plans'],
  ['GET', '/api/v1/admin/plans', '/admin/plans'],
  ['GET', '/api/v1/admin/plans/{id}', `/admin/plans/${randomUUID()}`],
  ['POST', '/api/v1/admin/plans', '/admin/plans'],
  ['PATCH', '/api/v1/admin/plans/{id}', `/admin/plans/${randomUUID()}`],
  ['POST', '/api/v1/payments/checkout-sessions', '/payments/checkout-sessions'],
  ['POST', '/api/v1/payments/portal-sessions', '/payments/portal-sessions'],
  ['GET', '/api/v1/payments/invoices', '/payments/invoices'],
  ['GET', '/api/v1/subscriptions/me', '/subscriptions/me'],
  ['POST', '/api/v1/subscriptions/me/cancel', '/subscriptions/me/cancel'],
  ['POST', '/api/v1/subscriptions/me/resume', '/subscriptions/me/resume'],
  ['GET', '/api/v1/tenants/{tenantId}/subscription', '/tenants/:school/subscription'],
  ['PATCH', '/api/v1/tenants/{tenantId}/subscription', '/tenants/:school/subscription'],
  [
    'POST',
    '/api/v1/tenants/{tenantId}/subscription/cancel',
    '/tenants/:school/subscription/cancel',
  ],
  [
    'POST',
    '/api/v1/tenants/{tenantId}/subscription/resume',
    '/tenants/:school/subscription/resume',
  ],
  ['GET', '/api/v1/admin/payments/events', '/admin/payments/events'],
  ['POST', '/api/v1/admin/payments/events/{id}/retry', '/admin/payments/events/evt_123/retry'],
  ['POST', '/api/v1/admin/payments/reconcile', '/admin/payments/reconcile'],
  ['POST', '/api/v1/webhooks/stripe', '/webhooks/stripe'],
];

describe('payments switched off (no STRIPE_SECRET_KEY)', () => {
  let t: TestApp;
  let superAdmin: Tokens;
  let school: Awaited<ReturnType<typeof createSchool>>;

  const call = (token: string | undefined, method: string, path: string, json?: unknown) =>
    requestJson<Answer>(`${t.baseUrl}/api/v1${path.replace(':school', school.tenant)}`, {
      method,
      headers: {
        ...(token ? bearer(token) : {}),
        ...(path === '/webhooks/stripe' ? { 'stripe-signature': 't=1,v1=00' } : {}),
      },
      json,
    });

  beforeAll(async () => {
    t = await startTestApp();
    superAdmin = await login(t, await createUser(t, { superAdmin: true }));
    school = await createSchool(t);
  });

  afterAll(async () => {
    await t.close();
  });

  it.each(ROUTES)(
    'should answer %s %s with 404 PAYMENTS_DISABLED to anyone, before access and validation',
    async (method, _documented, path) => {
      const json = method === 'GET' ? undefined : { quantity: 'not even valid' };
      const callers = [
        undefined,
        superAdmin.access_token,
        school.admin.tokens.access_token,
        school.student.tokens.access_token,
      ];
      for (const token of callers) {
        const response = await call(token, method, path, json);
        expect([response.status, response.body.error_code]).toEqual([404, 'PAYMENTS_DISABLED']);
        expect(Object.keys(response.body).sort()).toEqual([
          'details',
          'error_code',
          'message',
          'request_id',
          'timestamp',
        ]);
      }
    },
  );

  it('should store nothing from a webhook while switched off', async () => {
    const [row] = await query<{ count: string }>(
      t.databaseUrl,
      `SELECT count(*) AS count FROM stripe_events`,
    );
    expect(Number(row?.count)).toBe(0);
  });

  it('should keep the rest of the API working', async () => {
    const me = await requestJson<{ id: string }>(`${t.baseUrl}/api/v1/users/me`, {
      headers: bearer(school.student.tokens.access_token),
    });
    expect([me.status, me.body.id]).toEqual([200, school.student.user.id]);
    const classes = await requestJson(`${t.baseUrl}/api/v1/classes`, {
      headers: bearer(school.admin.tokens.access_token),
    });
    expect(classes.status).toBe(200);
    const readiness = await fetch(`${t.baseUrl}/health/readiness`);
    expect(readiness.status).toBe(200);
  });

  it('should document PAYMENTS_DISABLED among the errors of every payment operation', async () => {
    const document = (await (await fetch(`${t.baseUrl}/docs-json`)).json()) as {
      paths: Record<string, Record<string, Operation>>;
    };
    const paymentOperations = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([, operation]) => operation.tags?.includes('payments'))
        .map(([method]) => `${method.toUpperCase()} ${path}`),
    );
    expect(paymentOperations.sort()).toEqual(
      ROUTES.map(([method, documented]) => `${method} ${documented}`).sort(),
    );
    for (const [method, documented] of ROUTES) {
      const notFound = document.paths[documented]?.[method.toLowerCase()]?.responses['404'];
      expect([documented, notFound?.description]).toEqual([
        documented,
        expect.stringContaining('`PAYMENTS_DISABLED`'),
      ]);
      expect(Object.keys(notFound?.content?.['application/json']?.examples ?? {})).toContain(
        'PAYMENTS_DISABLED',
      );
    }
  });
});
