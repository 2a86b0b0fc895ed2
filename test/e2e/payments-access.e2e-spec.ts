import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, createUser, login, type Tokens } from '../factories/accounts.js';
import { createSchool } from '../factories/classes.js';
import { query } from '../support/database-client.js';
import { requestJson } from '../support/http.js';
import { ManualClock } from '../support/manual-clock.js';
import {
  checkout,
  createPlan,
  deliverAndProcess,
  startPaymentsApp,
  subscriptionOf,
  type PaymentsApp,
  type PlanView,
} from '../support/payments.js';

type School = Awaited<ReturnType<typeof createSchool>>;

interface Answer {
  error_code?: string;
  message?: string;
  details?: Record<string, unknown> | null;
  [key: string]: unknown;
}
interface SubscriptionView extends Answer {
  status: string;
  quantity: number;
  cancel_at_period_end: boolean;
  entitled: boolean;
  plan_id: string;
}
interface InvoiceView {
  id: string;
  status: string | null;
  amount_due: number;
  amount_paid: number;
  currency: string;
  hosted_invoice_url: string | null;
  invoice_pdf: string | null;
}
interface InvoicePage extends Answer {
  items: InvoiceView[];
  has_more: boolean;
}

const ENVELOPE_KEYS = ['details', 'error_code', 'message', 'request_id', 'timestamp'];

/** Every payment route, with an id where its path has one. */
const ROUTES: Array<[string, string]> = [
  ['GET', '/plans'],
  ['GET', '/admin/plans'],
  ['GET', `/admin/plans/${randomUUID()}`],
  ['POST', '/admin/plans'],
  ['PATCH', `/admin/plans/${randomUUID()}`],
  ['POST', '/payments/checkout-sessions'],
  ['POST', '/payments/portal-sessions'],
  ['GET', '/payments/invoices'],
  ['GET', '/subscriptions/me'],
  ['POST', '/subscriptions/me/cancel'],
  ['POST', '/subscriptions/me/resume'],
  ['GET', '/tenants/some_school/subscription'],
  ['PATCH', '/tenants/some_school/subscription'],
  ['POST', '/tenants/some_school/subscription/cancel'],
  ['POST', '/tenants/some_school/subscription/resume'],
  ['GET', '/admin/payments/events'],
  ['POST', '/admin/payments/events/evt_123/retry'],
  ['POST', '/admin/payments/reconcile'],
  ['POST', '/webhooks/stripe'],
];

const TENANT_ROUTES: Array<[string, string, unknown]> = [
  ['GET', '', undefined],
  ['PATCH', '', { quantity: 35 }],
  ['POST', '/cancel', undefined],
  ['POST', '/resume', undefined],
];

describe('payments: who may call what, bad input and business refusals', () => {
  const clock = new ManualClock();
  let p: PaymentsApp;
  let superAdmin: Tokens;
  let premium: PlanView;
  let extra: PlanView;
  let seats: PlanView;
  let schoolFlat: PlanView;
  let retired: PlanView;
  /** Has a live 30-seat subscription bought by its admin. */
  let south: School;
  let north: School;

  const api = (path: string) => `${p.t.baseUrl}/api/v1${path}`;
  const call = <T = Answer>(
    token: string | undefined,
    method: string,
    path: string,
    json?: unknown,
  ) => requestJson<T>(api(path), { method, headers: token ? bearer(token) : {}, json });
  const stripeWrites = (from: number) =>
    p.stripe.requests.slice(from).filter((request) => request.method === 'POST');
  const customerOf = async (column: 'user_id' | 'tenant_id', id: string) =>
    query<{ stripe_customer_id: string }>(
      p.t.databaseUrl,
      `SELECT stripe_customer_id FROM billing_customers WHERE ${column} = $1`,
      [id],
    );

  beforeAll(async () => {
    p = await startPaymentsApp({ clock });
    superAdmin = await login(p.t, await createUser(p.t, { superAdmin: true }));
    const token = superAdmin.access_token;
    premium = await createPlan(p.t, token, { name: 'Premium', unit_amount: 990 });
    extra = await createPlan(p.t, token, { name: 'Extra', unit_amount: 500 });
    seats = await createPlan(p.t, token, {
      name: 'Seats',
      unit_amount: 300,
      audience: 'school',
      seat_based: true,
    });
    schoolFlat = await createPlan(p.t, token, { name: 'School flat', audience: 'school' });
    retired = await createPlan(p.t, token, { name: 'Retired', is_active: false });
    north = await createSchool(p.t);
    south = await createSchool(p.t);
    const sessionId = await checkout(p.t, south.admin.tokens.access_token, seats.id, 30);
    await deliverAndProcess(p.t, p.stripe, p.stripe.completeCheckout(sessionId));
  });

  afterAll(async () => {
    await p.close();
  });

  describe('anonymous callers', () => {
    it.each(ROUTES)(
      'should answer %s %s as the route allows anonymous callers',
      async (method, path) => {
        const response = await call(undefined, method, path, method === 'GET' ? undefined : {});
        if (path === '/plans') {
          expect(response.status).toBe(200);
        } else if (path === '/webhooks/stripe') {
          expect([response.status, response.body.error_code]).toEqual([
            400,
            'PAYMENTS_WEBHOOK_SIGNATURE_INVALID',
          ]);
        } else {
          expect([response.status, response.body.error_code]).toEqual([
            401,
            'AUTH_UNAUTHENTICATED',
          ]);
        }
      },
    );
  });

  describe('wrong role', () => {
    it.each(TENANT_ROUTES)(
      'should refuse a teacher and a student of the school on %s /tenants/:id/subscription%s (403)',
      async (method, suffix, json) => {
        const before = p.stripe.requests.length;
        for (const member of [south.teacher, south.student]) {
          const response = await call(
            member.tokens.access_token,
            method,
            `/tenants/${south.tenant}/subscription${suffix}`,
            json,
          );
          expect([response.status, response.body.error_code]).toEqual([403, 'AUTH_FORBIDDEN']);
        }
        expect(p.stripe.requests.length).toBe(before);
      },
    );

    it.each(ROUTES.filter(([, path]) => path.startsWith('/admin/')))(
      'should refuse a school admin on %s %s (403)',
      async (method, path) => {
        const before = p.stripe.requests.length;
        const response = await call(
          north.admin.tokens.access_token,
          method,
          path,
          method === 'GET' ? undefined : { name: 'Mine' },
        );
        expect([response.status, response.body.error_code]).toEqual([403, 'AUTH_FORBIDDEN']);
        expect(p.stripe.requests.length).toBe(before);
      },
    );

    it("should refuse a teacher the school's portal and invoices (403)", async () => {
      const teacher = south.teacher.tokens.access_token;
      const portal = await call(teacher, 'POST', '/payments/portal-sessions', {
        tenant_id: south.tenant,
      });
      expect([portal.status, portal.body.error_code]).toEqual([403, 'COMMON_FORBIDDEN']);
      const invoices = await call(teacher, 'GET', `/payments/invoices?tenant_id=${south.tenant}`);
      expect([invoices.status, invoices.body.error_code]).toEqual([403, 'COMMON_FORBIDDEN']);
    });
  });

  describe('wrong tenant', () => {
    it.each(TENANT_ROUTES)(
      'should refuse an admin of another school %s /tenants/:id/subscription%s (403) and change nothing in Stripe',
      async (method, suffix, json) => {
        const before = p.stripe.requests.length;
        const response = await call(
          north.admin.tokens.access_token,
          method,
          `/tenants/${south.tenant}/subscription${suffix}`,
          json,
        );
        expect([response.status, response.body.error_code]).toEqual([403, 'COMMON_FORBIDDEN']);
        expect(stripeWrites(before).filter((r) => r.path.startsWith('/v1/subscriptions'))).toEqual(
          [],
        );
        expect(p.stripe.requests.length).toBe(before);
        const own = await call<SubscriptionView>(
          south.admin.tokens.access_token,
          'GET',
          `/tenants/${south.tenant}/subscription`,
        );
        expect(own.body).toMatchObject({ quantity: 30, cancel_at_period_end: false });
      },
    );

    it("should refuse an admin another school's portal and invoices (403) without asking Stripe", async () => {
      const before = p.stripe.requests.length;
      const admin = north.admin.tokens.access_token;
      const portal = await call(admin, 'POST', '/payments/portal-sessions', {
        tenant_id: south.tenant,
      });
      expect([portal.status, portal.body.error_code]).toEqual([403, 'COMMON_FORBIDDEN']);
      const invoices = await call(admin, 'GET', `/payments/invoices?tenant_id=${south.tenant}`);
      expect([invoices.status, invoices.body.error_code]).toEqual([403, 'COMMON_FORBIDDEN']);
      expect(p.stripe.requests.length).toBe(before);
    });
  });

  describe('impersonation', () => {
    let actingAsAdmin: string;
    let east: School;

    beforeAll(async () => {
      east = await createSchool(p.t);
      const started = await call<{ access_token: string }>(
        superAdmin.access_token,
        'POST',
        '/admin/impersonate',
        { user_id: east.admin.user.id, reason: 'Ticket 88: billing page', tenant_id: east.tenant },
      );
      expect(started.status).toBe(200);
      actingAsAdmin = started.body.access_token;
    });

    it.each([
      ['POST', '/payments/checkout-sessions', () => ({ plan_id: premium.id })],
      ['POST', '/payments/portal-sessions', () => ({})],
      ['POST', '/subscriptions/me/cancel', () => undefined],
      ['POST', '/subscriptions/me/resume', () => undefined],
      ['PATCH', '/tenants/:east/subscription', () => ({ quantity: 3 })],
      ['POST', '/tenants/:east/subscription/cancel', () => undefined],
      ['POST', '/tenants/:east/subscription/resume', () => undefined],
    ])('should refuse %s %s to someone acting as the user (403)', async (method, path, json) => {
      const before = p.stripe.requests.length;
      const response = await call(
        actingAsAdmin,
        method,
        path.replace(':east', east.tenant),
        json(),
      );
      expect([response.status, response.body.error_code]).toEqual([
        403,
        'AUTH_IMPERSONATION_FORBIDDEN',
      ]);
      expect(p.stripe.requests.length).toBe(before);
    });

    it('should still let them read the school subscription and the invoices', async () => {
      const subscription = await call(actingAsAdmin, 'GET', `/tenants/${east.tenant}/subscription`);
      expect([subscription.status, subscription.body.error_code]).toEqual([
        404,
        'PAYMENTS_SUBSCRIPTION_NOT_FOUND',
      ]);
      const invoices = await call(
        actingAsAdmin,
        'GET',
        `/payments/invoices?tenant_id=${east.tenant}`,
      );
      expect(invoices.status).toBe(200);
    });
  });

  describe('bad input', () => {
    type Who = 'buyer' | 'southAdmin' | 'superAdmin';
    const BAD: Array<[string, Who, string, string, () => unknown, string]> = [
      [
        'a non-uuid plan_id',
        'buyer',
        'POST',
        '/payments/checkout-sessions',
        () => ({ plan_id: 'premium' }),
        'COMMON_VALIDATION_FAILED',
      ],
      [
        'no plan_id',
        'buyer',
        'POST',
        '/payments/checkout-sessions',
        () => ({}),
        'COMMON_VALIDATION_FAILED',
      ],
      [
        'quantity 0',
        'southAdmin',
        'POST',
        '/payments/checkout-sessions',
        () => ({ plan_id: seats.id, quantity: 0 }),
        'COMMON_VALIDATION_FAILED',
      ],
      [
        'quantity 100001',
        'southAdmin',
        'POST',
        '/payments/checkout-sessions',
        () => ({ plan_id: seats.id, quantity: 100_001 }),
        'COMMON_VALIDATION_FAILED',
      ],
      [
        'quantity 2.5',
        'southAdmin',
        'POST',
        '/payments/checkout-sessions',
        () => ({ plan_id: seats.id, quantity: 2.5 }),
        'COMMON_VALIDATION_FAILED',
      ],
      [
        'quantity "3"',
        'southAdmin',
        'POST',
        '/payments/checkout-sessions',
        () => ({ plan_id: seats.id, quantity: '3' }),
        'COMMON_VALIDATION_FAILED',
      ],
      [
        'quantity on a plan without seats',
        'buyer',
        'POST',
        '/payments/checkout-sessions',
        () => ({ plan_id: extra.id, quantity: 2 }),
        'PAYMENTS_QUANTITY_INVALID',
      ],
      [
        'no quantity on a seat plan',
        'southAdmin',
        'POST',
        '/payments/checkout-sessions',
        () => ({ plan_id: seats.id }),
        'PAYMENTS_QUANTITY_INVALID',
      ],
      [
        'an unknown field',
        'buyer',
        'POST',
        '/payments/checkout-sessions',
        () => ({ plan_id: extra.id, coupon: 'FREE' }),
        'COMMON_VALIDATION_FAILED',
      ],
      [
        'a malformed tenant_id',
        'buyer',
        'POST',
        '/payments/portal-sessions',
        () => ({ tenant_id: 'Not A School' }),
        'COMMON_VALIDATION_FAILED',
      ],
      [
        'seats 0',
        'southAdmin',
        'PATCH',
        '/tenants/:south/subscription',
        () => ({ quantity: 0 }),
        'COMMON_VALIDATION_FAILED',
      ],
      [
        'seats 100001',
        'southAdmin',
        'PATCH',
        '/tenants/:south/subscription',
        () => ({ quantity: 100_001 }),
        'COMMON_VALIDATION_FAILED',
      ],
      [
        'no seats',
        'southAdmin',
        'PATCH',
        '/tenants/:south/subscription',
        () => ({}),
        'COMMON_VALIDATION_FAILED',
      ],
      [
        'invoices limit 0',
        'buyer',
        'GET',
        '/payments/invoices?limit=0',
        () => undefined,
        'COMMON_VALIDATION_FAILED',
      ],
      [
        'invoices limit 101',
        'buyer',
        'GET',
        '/payments/invoices?limit=101',
        () => undefined,
        'COMMON_VALIDATION_FAILED',
      ],
      [
        'invoices limit ten',
        'buyer',
        'GET',
        '/payments/invoices?limit=ten',
        () => undefined,
        'COMMON_VALIDATION_FAILED',
      ],
      [
        'a bad starting_after',
        'buyer',
        'GET',
        '/payments/invoices?starting_after=sub_123',
        () => undefined,
        'COMMON_VALIDATION_FAILED',
      ],
      [
        'a malformed invoices tenant_id',
        'buyer',
        'GET',
        '/payments/invoices?tenant_id=A',
        () => undefined,
        'COMMON_VALIDATION_FAILED',
      ],
      [
        'an unknown events status',
        'superAdmin',
        'GET',
        '/admin/payments/events?status=stuck',
        () => undefined,
        'COMMON_VALIDATION_FAILED',
      ],
      [
        'an events limit 0',
        'superAdmin',
        'GET',
        '/admin/payments/events?limit=0',
        () => undefined,
        'COMMON_VALIDATION_FAILED',
      ],
      [
        'a malformed tenant path (GET)',
        'superAdmin',
        'GET',
        '/tenants/Not%20A%20School/subscription',
        () => undefined,
        'COMMON_VALIDATION_FAILED',
      ],
      [
        'a malformed tenant path (PATCH)',
        'superAdmin',
        'PATCH',
        '/tenants/x/subscription',
        () => ({ quantity: 3 }),
        'COMMON_VALIDATION_FAILED',
      ],
      [
        'a malformed tenant path (cancel)',
        'superAdmin',
        'POST',
        '/tenants/-school/subscription/cancel',
        () => undefined,
        'COMMON_VALIDATION_FAILED',
      ],
      [
        'a malformed tenant path (resume)',
        'superAdmin',
        'POST',
        '/tenants/SCHOOL/subscription/resume',
        () => undefined,
        'COMMON_VALIDATION_FAILED',
      ],
    ];
    let buyer: Tokens;

    beforeAll(async () => {
      buyer = await login(p.t, await createUser(p.t));
    });

    it.each(BAD)(
      'should answer %s with the 400 envelope and ask nothing of Stripe',
      async (_what, who, method, path, json, code) => {
        const token = {
          buyer: buyer.access_token,
          southAdmin: south.admin.tokens.access_token,
          superAdmin: superAdmin.access_token,
        }[who];
        const before = p.stripe.requests.length;
        const response = await call(token, method, path.replace(':south', south.tenant), json());
        expect([response.status, response.body.error_code]).toEqual([400, code]);
        expect(Object.keys(response.body).sort()).toEqual(ENVELOPE_KEYS);
        expect(p.stripe.requests.length).toBe(before);
      },
    );

    it.each([
      ['POST', '/payments/checkout-sessions'],
      ['POST', '/payments/portal-sessions'],
      ['PATCH', '/tenants/:south/subscription'],
    ])(
      'should answer a body that is not JSON on %s %s with 400 COMMON_MALFORMED_JSON',
      async (method, path) => {
        const before = p.stripe.requests.length;
        const response = await requestJson<Answer>(api(path.replace(':south', south.tenant)), {
          method,
          headers: {
            ...bearer(south.admin.tokens.access_token),
            'content-type': 'application/json',
          },
          body: '{"plan_id": ',
        });
        expect([response.status, response.body.error_code]).toEqual([400, 'COMMON_MALFORMED_JSON']);
        expect(Object.keys(response.body).sort()).toEqual(ENVELOPE_KEYS);
        expect(p.stripe.requests.length).toBe(before);
      },
    );

    it('should name the field at fault', async () => {
      const response = await call(
        south.admin.tokens.access_token,
        'POST',
        '/payments/checkout-sessions',
        {
          plan_id: seats.id,
          quantity: 2.5,
        },
      );
      expect(response.body.details).toMatchObject({ fields: [{ field: 'quantity' }] });
    });
  });

  describe('checkout refusals', () => {
    it('should refuse a school plan to a user without a school and to a teacher (403)', async () => {
      const loner = await login(p.t, await createUser(p.t));
      const before = p.stripe.requests.length;
      for (const token of [loner.access_token, north.teacher.tokens.access_token]) {
        const response = await call(token, 'POST', '/payments/checkout-sessions', {
          plan_id: schoolFlat.id,
        });
        expect([response.status, response.body.error_code]).toEqual([
          403,
          'PAYMENTS_SCHOOL_PLAN_ADMINS_ONLY',
        ]);
      }
      expect(p.stripe.requests.length).toBe(before);
    });

    it('should refuse a plan no longer sold (409) and an unknown plan (404)', async () => {
      const token = north.student.tokens.access_token;
      const inactive = await call(token, 'POST', '/payments/checkout-sessions', {
        plan_id: retired.id,
      });
      expect([inactive.status, inactive.body.error_code]).toEqual([409, 'PAYMENTS_PLAN_INACTIVE']);
      const unknown = await call(token, 'POST', '/payments/checkout-sessions', {
        plan_id: randomUUID(),
      });
      expect([unknown.status, unknown.body.error_code]).toEqual([404, 'PAYMENTS_PLAN_NOT_FOUND']);
    });

    it('should give a double click within the minute the same session, and one session in Stripe', async () => {
      const user = await createUser(p.t);
      const tokens = await login(p.t, user);
      // At the start of a minute, so both clicks fall in one.
      clock.advance(60_000 - (clock.nowMs() % 60_000));
      const first = await checkout(p.t, tokens.access_token, premium.id);
      const second = await checkout(p.t, tokens.access_token, premium.id);
      expect(second).toBe(first);
      const [customer] = await customerOf('user_id', user.id);
      const sessions = await p.stripe
        .client()
        .checkout.sessions.list({ customer: customer?.stripe_customer_id });
      expect(sessions.data.map((session) => session.id)).toEqual([first]);
    });

    it('should give two first checkouts sent at once one session and one Stripe customer', async () => {
      const user = await createUser(p.t);
      const tokens = await login(p.t, user);
      clock.advance(60_000 - (clock.nowMs() % 60_000));
      const [first, second] = await Promise.all([
        checkout(p.t, tokens.access_token, premium.id),
        checkout(p.t, tokens.access_token, premium.id),
      ]);
      expect(second).toBe(first);
      const rows = await customerOf('user_id', user.id);
      expect(rows).toHaveLength(1);
      const customers = await p.stripe
        .client()
        .customers.retrieve(rows[0]?.stripe_customer_id ?? '');
      expect(customers).toMatchObject({ metadata: { user_id: user.id } });
    });

    it('should refuse a second purchase of a live plan (409), make one Stripe customer for two plans', async () => {
      const user = await createUser(p.t);
      const tokens = await login(p.t, user);
      await deliverAndProcess(
        p.t,
        p.stripe,
        p.stripe.completeCheckout(await checkout(p.t, tokens.access_token, premium.id)),
      );
      const again = await call(tokens.access_token, 'POST', '/payments/checkout-sessions', {
        plan_id: premium.id,
      });
      expect([again.status, again.body.error_code]).toEqual([409, 'PAYMENTS_ALREADY_SUBSCRIBED']);

      await checkout(p.t, tokens.access_token, extra.id);
      const customersMade = p.stripe.requests.filter(
        (request) =>
          request.method === 'POST' &&
          request.path === '/v1/customers' &&
          (request.body.metadata as Record<string, unknown> | undefined)?.user_id === user.id,
      );
      expect(customersMade).toHaveLength(1);
      const rows = await customerOf('user_id', user.id);
      expect(rows).toHaveLength(1);
      const sessions = p.stripe.requests.filter(
        (request) =>
          request.method === 'POST' &&
          request.path === '/v1/checkout/sessions' &&
          request.body.customer === rows[0]?.stripe_customer_id,
      );
      expect(sessions).toHaveLength(2);
    });
  });

  describe('portal, invoices, seats and the own subscription', () => {
    let buyer: { id: string; tokens: Tokens };

    beforeAll(async () => {
      const user = await createUser(p.t);
      buyer = { id: user.id, tokens: await login(p.t, user) };
      await deliverAndProcess(
        p.t,
        p.stripe,
        p.stripe.completeCheckout(await checkout(p.t, buyer.tokens.access_token, premium.id)),
      );
    });

    it('should answer 404 PAYMENTS_NO_CUSTOMER for a portal before any purchase', async () => {
      const fresh = await login(p.t, await createUser(p.t));
      const mine = await call(fresh.access_token, 'POST', '/payments/portal-sessions', {});
      expect([mine.status, mine.body.error_code]).toEqual([404, 'PAYMENTS_NO_CUSTOMER']);
      const school = await call(
        north.admin.tokens.access_token,
        'POST',
        '/payments/portal-sessions',
        {
          tenant_id: north.tenant,
        },
      );
      expect([school.status, school.body.error_code]).toEqual([404, 'PAYMENTS_NO_CUSTOMER']);
    });

    it("should open the buyer's portal, and with tenant_id the school's", async () => {
      const mine = await call<{ portal_url: string }>(
        buyer.tokens.access_token,
        'POST',
        '/payments/portal-sessions',
        {},
      );
      expect(mine.status).toBe(201);
      expect(mine.body.portal_url).toMatch(new RegExp(`^${p.stripe.baseUrl}/portal/`));
      const [own] = await customerOf('user_id', buyer.id);
      const portals = () =>
        p.stripe.requests.filter(
          (request) => request.method === 'POST' && request.path === '/v1/billing_portal/sessions',
        );
      expect(portals().at(-1)?.body.customer).toBe(own?.stripe_customer_id);

      const school = await call<{ portal_url: string }>(
        south.admin.tokens.access_token,
        'POST',
        '/payments/portal-sessions',
        { tenant_id: south.tenant },
      );
      expect(school.status).toBe(201);
      expect(school.body.portal_url).toMatch(new RegExp(`^${p.stripe.baseUrl}/portal/`));
      const [southCustomer] = await customerOf('tenant_id', south.tenant);
      expect(southCustomer?.stripe_customer_id).toMatch(/^cus_/);
      expect(portals().at(-1)?.body.customer).toBe(southCustomer?.stripe_customer_id);
      expect(southCustomer?.stripe_customer_id).not.toBe(own?.stripe_customer_id);
    });

    it('should list the invoice of the purchase, and an empty page for a payer without a customer', async () => {
      const page = await call<InvoicePage>(buyer.tokens.access_token, 'GET', '/payments/invoices');
      expect(page.status).toBe(200);
      expect(page.body.has_more).toBe(false);
      expect(page.body.items).toHaveLength(1);
      expect(page.body.items[0]).toMatchObject({
        id: expect.stringMatching(/^in_/),
        status: 'paid',
        amount_due: 990,
        amount_paid: 990,
        currency: 'usd',
        hosted_invoice_url: expect.stringMatching(/^http/),
        invoice_pdf: expect.stringMatching(/^http/),
      });
      const limited = await call<InvoicePage>(
        buyer.tokens.access_token,
        'GET',
        `/payments/invoices?limit=1&starting_after=${page.body.items[0]?.id ?? ''}`,
      );
      expect(limited.body).toEqual({ items: [], has_more: false });

      const school = await call<InvoicePage>(
        south.admin.tokens.access_token,
        'GET',
        `/payments/invoices?tenant_id=${south.tenant}`,
      );
      expect(school.body.items.map((invoice) => [invoice.amount_paid, invoice.currency])).toEqual([
        [9000, 'usd'],
      ]);
      const ownOfAdmin = await call<InvoicePage>(
        south.admin.tokens.access_token,
        'GET',
        '/payments/invoices',
      );
      expect(ownOfAdmin.body).toEqual({ items: [], has_more: false });

      const fresh = await login(p.t, await createUser(p.t));
      const before = p.stripe.requests.length;
      const empty = await call<InvoicePage>(fresh.access_token, 'GET', '/payments/invoices');
      expect([empty.status, empty.body]).toEqual([200, { items: [], has_more: false }]);
      expect(p.stripe.requests.length).toBe(before);
    });

    it('should answer 404 PAYMENTS_SUBSCRIPTION_NOT_FOUND for a user who never subscribed', async () => {
      const fresh = await login(p.t, await createUser(p.t));
      for (const [method, path] of [
        ['GET', '/subscriptions/me'],
        ['POST', '/subscriptions/me/cancel'],
        ['POST', '/subscriptions/me/resume'],
      ] as const) {
        const response = await call(fresh.access_token, method, path);
        expect([response.status, response.body.error_code]).toEqual([
          404,
          'PAYMENTS_SUBSCRIPTION_NOT_FOUND',
        ]);
      }
      const mine = await call<SubscriptionView>(
        buyer.tokens.access_token,
        'GET',
        '/subscriptions/me',
      );
      expect(mine.body).toMatchObject({ status: 'active', plan_id: premium.id, entitled: true });
    });

    it('should refuse to change the seats of a plan not priced per seat (409)', async () => {
      const school = await createSchool(p.t);
      const admin = school.admin.tokens.access_token;
      const events = p.stripe.completeCheckout(await checkout(p.t, admin, schoolFlat.id));
      await deliverAndProcess(p.t, p.stripe, events);
      const before = p.stripe.requests.length;
      const response = await call(admin, 'PATCH', `/tenants/${school.tenant}/subscription`, {
        quantity: 5,
      });
      expect([response.status, response.body.error_code]).toEqual([409, 'PAYMENTS_NOT_SEAT_BASED']);
      expect(p.stripe.requests.length).toBe(before);
      const stripeSide = await p.stripe.client().subscriptions.retrieve(subscriptionOf(events));
      expect(stripeSide.items.data[0]?.quantity).toBe(1);
    });
  });
});
