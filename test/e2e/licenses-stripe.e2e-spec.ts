import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, createUser, login, type Tokens } from '../factories/accounts.js';
import { createSchool } from '../factories/classes.js';
import { market, marketEnv } from '../factories/market.js';
import { query } from '../support/database-client.js';
import { requestJson, waitFor } from '../support/http.js';
import { ManualClock } from '../support/manual-clock.js';
import {
  checkout,
  createPlan,
  deliverAndProcess,
  mailsMatching,
  startPaymentsApp,
  subscriptionOf,
  subscriptionRow,
  type PaymentsApp,
  type PlanView,
} from '../support/payments.js';

interface LicenseView {
  id: string;
  tenant_id: string;
  plan_id: string | null;
  total_seats: number;
  used_seats: number;
  surplus_seats: number;
  expires_at: string;
  status: string;
  source: string;
  error_code?: string;
}

interface CallbackBody {
  event_id: string;
  event_type: string;
  tenant_id: string;
  data: Record<string, unknown>;
}

const DAY_MS = 24 * 3600 * 1000;
const GRACE_DAYS = 7;

/** The Service Market's callback endpoint: records what it is sent. */
class CallbackReceiver {
  readonly deliveries: CallbackBody[] = [];
  private server?: http.Server;

  async start(): Promise<string> {
    this.server = http.createServer((request, response) => {
      let raw = '';
      request.on('data', (chunk: Buffer) => (raw += chunk.toString()));
      request.on('end', () => {
        this.deliveries.push(JSON.parse(raw) as CallbackBody);
        response.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}/callbacks`;
  }

  stop(): Promise<void> {
    return new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

describe('licenses that follow a Stripe seat subscription', () => {
  const clock = new ManualClock();
  const receiver = new CallbackReceiver();
  let p: PaymentsApp;
  let seatPlan: PlanView;
  let superAdmin: Tokens;

  const call = <T = LicenseView>(token: string, method: string, path: string, json?: unknown) =>
    requestJson<T>(`${p.t.baseUrl}/api/v1${path}`, { method, headers: bearer(token), json });

  /** A school whose admin bought `quantity` seats at checkout; its license once it exists. */
  const buySeats = async (quantity: number) => {
    const school = await createSchool(p.t);
    const admin = school.admin.tokens.access_token;
    const events = p.stripe.completeCheckout(await checkout(p.t, admin, seatPlan.id, quantity));
    await deliverAndProcess(p.t, p.stripe, events);
    const subscription = subscriptionOf(events);
    const license = await waitFor(async () => {
      const list = await call<{ items: LicenseView[] }>(admin, 'GET', '/licenses');
      return list.body.items.find((item) => item.source === subscription);
    });
    return { school, admin, events, subscription, license };
  };

  /** Waits until the license reads as `expected` says. */
  const licenseMatching = (admin: string, id: string, expected: Partial<LicenseView>) =>
    waitFor(
      async () => {
        const response = await call(admin, 'GET', `/licenses/${id}`);
        const matches = Object.entries(expected).every(
          ([key, value]) => response.body[key as keyof LicenseView] === value,
        );
        return matches ? response.body : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 50 },
    );

  /** Every license and subscription event relayed (and so every handler has run). */
  const relayed = () =>
    waitFor(async () => {
      const [row] = await query<{ n: string }>(
        p.t.databaseUrl,
        `SELECT count(*) AS n FROM outbox_events
         WHERE (type LIKE 'subscription.%' OR type LIKE 'license.%') AND published_at IS NULL`,
      );
      return Number(row?.n) === 0;
    });

  const students = async (tenant: string, count: number): Promise<string[]> => {
    const made = await Promise.all(
      Array.from({ length: count }, () => createUser(p.t, { tenant, role: 'student' })),
    );
    return made.map((user) => user.id);
  };

  const outboxOf = (type: string, licenseId: string) =>
    query<{ payload: Record<string, unknown> }>(
      p.t.databaseUrl,
      `SELECT payload FROM outbox_events WHERE type = $1 AND aggregate_id = $2`,
      [type, licenseId],
    );

  /** An event as another module's transaction writes it to the outbox (the relay sends it on). */
  const writeEvent = async (
    type: string,
    aggregateId: string,
    payload: Record<string, unknown>,
  ): Promise<string> => {
    const id = randomUUID();
    await query(
      p.t.databaseUrl,
      `INSERT INTO outbox_events (id, type, version, aggregate_id, payload, occurred_at)
       VALUES ($1, $2, '1.0.0', $3, $4, now())`,
      [id, type, aggregateId, JSON.stringify(payload)],
    );
    return id;
  };

  interface EventsJob {
    id: string;
    data: { events: { id: string }[] };
    attemptsMade: number;
    stacktrace: string[];
  }
  interface EventsQueue {
    getJobs(states: string[]): Promise<EventsJob[]>;
    addBulk(jobs: { name: string; data: unknown; opts: { jobId: string } }[]): Promise<unknown>;
  }
  const eventsQueue = () => p.t.app.get<EventsQueue>('BullQueue_events', { strict: false });

  /**
   * Events published each in its own job, as relays on several instances would, so the
   * workers handle them at the same time.
   */
  const publishApart = async (
    events: { type: string; aggregateId: string; payload: Record<string, unknown> }[],
  ): Promise<string[]> => {
    const stored = events.map((event) => ({ ...event, id: randomUUID() }));
    const occurredAt = new Date().toISOString();
    for (const event of stored) {
      await query(
        p.t.databaseUrl,
        `INSERT INTO outbox_events (id, type, version, aggregate_id, payload, occurred_at, published_at)
         VALUES ($1, $2, '1.0.0', $3, $4, $5, now())`,
        [event.id, event.type, event.aggregateId, JSON.stringify(event.payload), occurredAt],
      );
    }
    await eventsQueue().addBulk(
      stored.map((event) => ({
        name: 'publish',
        data: { events: [{ ...event, version: '1.0.0', occurredAt }] },
        opts: { jobId: event.id },
      })),
    );
    return stored.map((event) => event.id);
  };

  /** Waits until the event's subscribers have all run (the batch job holding it is done). */
  const handled = async (eventId: string) =>
    waitFor(
      async () =>
        (await eventsQueue().getJobs(['completed'])).find((job) =>
          job.data.events.some((event) => event.id === eventId),
        ),
      { timeoutMs: 20_000, intervalMs: 50 },
    );

  const periodEndOf = async (subscription: string): Promise<number> =>
    ((await subscriptionRow(p.t, subscription))?.current_period_end as Date).getTime();

  beforeAll(async () => {
    p = await startPaymentsApp({
      clock,
      env: {
        ...marketEnv,
        MARKET_CALLBACK_URL: await receiver.start(),
        MARKET_CALLBACK_API_KEY: 'service-key-for-the-market',
        RATE_LIMIT_AUTHENTICATED_LIMIT: '1000',
        PAYMENTS_PAST_DUE_GRACE_DAYS: String(GRACE_DAYS),
      },
    });
    superAdmin = await login(p.t, await createUser(p.t, { superAdmin: true }));
    seatPlan = await createPlan(p.t, superAdmin.access_token, {
      name: 'School seats',
      unit_amount: 300,
      audience: 'school',
      seat_based: true,
    });
  });

  afterAll(async () => {
    await p.close();
    await receiver.stop();
  });

  it('should give a checkout of 40 seats a license of 40, live until the period end plus the grace', async () => {
    const { school, subscription, license } = await buySeats(40);
    const periodEnd = await periodEndOf(subscription);
    expect(license).toMatchObject({
      tenant_id: school.tenant,
      plan_id: seatPlan.id,
      total_seats: 40,
      used_seats: 0,
      status: 'active',
    });
    expect(new Date(license.expires_at).getTime()).toBe(periodEnd + GRACE_DAYS * DAY_MS);
    const [audit] = await query<{ actor_type: string; metadata: Record<string, unknown> }>(
      p.t.databaseUrl,
      `SELECT actor_type, metadata FROM audit_logs
       WHERE action = 'license.created' AND resource_id = $1`,
      [license.id],
    );
    expect(audit).toMatchObject({ actor_type: 'system', metadata: { to: 'active' } });
  });

  it("should refuse a super admin's change to the seats or term of a license Stripe keeps, but let them revoke it", async () => {
    const { license } = await buySeats(3);
    const path = `/licenses/${license.id}`;
    for (const body of [{ total_seats: 10 }, { expires_at: '2099-01-01T00:00:00.000Z' }]) {
      const refused = await call<{ error_code: string }>(
        superAdmin.access_token,
        'PATCH',
        path,
        body,
      );
      expect(refused.status).toBe(409);
      expect(refused.body.error_code).toBe('LICENSE_MANAGED_BY_STRIPE');
    }
    const revoked = await call(superAdmin.access_token, 'PATCH', path, { revoked: true });
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ status: 'revoked', total_seats: 3 });
  });

  it('should go over_allocated when Stripe cuts 40 seats to 25 under 30 taken, mail the admin and the market, and recover when 5 are freed', async () => {
    const { school, admin, events, subscription, license } = await buySeats(40);
    const taken = await students(school.tenant, 30);
    const assigned = await call<{ assigned: number }>(
      admin,
      'POST',
      `/licenses/${license.id}/seats`,
      {
        user_ids: taken,
      },
    );
    expect(assigned.status).toBe(201);
    expect(assigned.body.assigned).toBe(30);

    const cut = p.stripe.updateSubscription(subscription, { quantity: 25 });
    await deliverAndProcess(p.t, p.stripe, cut);
    const over = await licenseMatching(admin, license.id, { total_seats: 25 });
    expect(over).toMatchObject({ status: 'over_allocated', used_seats: 30, surplus_seats: 5 });

    const another = (await students(school.tenant, 1))[0];
    const refused = await call(admin, 'POST', `/licenses/${license.id}/seats`, {
      user_ids: [another],
    });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({
      error_code: 'LICENSE_OVER_ALLOCATED',
      details: { surplus: 5 },
    });

    const mails = await waitFor(async () => {
      const found = await mailsMatching(p.t, school.admin.user.email, '5 seats more are assigned');
      return found.length > 0 ? found : undefined;
    });
    expect(mails[0]).toContain('free 5 seats');
    const callback = await waitFor(() =>
      Promise.resolve(
        receiver.deliveries.find(
          (delivery) =>
            delivery.tenant_id === school.tenant &&
            delivery.event_type === 'license.over_allocated',
        ),
      ),
    );
    expect(callback.data).toMatchObject({
      license_id: license.id,
      total_seats: 25,
      used_seats: 30,
      surplus_seats: 5,
    });

    // Stripe delivers the same event again, and then an older state of the subscription.
    const again = await p.stripe.deliver(cut[0]);
    expect(again.status).toBe(200);
    const created = events.find((event) => event.type === 'customer.subscription.created');
    const stale = p.stripe.event('customer.subscription.updated', created?.data.object ?? {});
    await deliverAndProcess(p.t, p.stripe, [stale]);
    // And a subscription.changed of the older state relayed late: it is only a nudge.
    const row = await subscriptionRow(p.t, subscription);
    const staleChange = await writeEvent('subscription.changed', String(row?.id), {
      subscription_id: row?.id,
      stripe_subscription_id: subscription,
      payer_type: 'tenant',
      tenant_id: school.tenant,
      plan_id: seatPlan.id,
      status: 'active',
      quantity: 40,
      seat_based: true,
      current_period_end: new Date(await periodEndOf(subscription)).toISOString(),
      cancel_at_period_end: false,
    });
    await handled(staleChange);
    await relayed();
    expect(await licenseMatching(admin, license.id, { total_seats: 25 })).toEqual(over);
    expect(await outboxOf('license.over_allocated', license.id)).toHaveLength(1);
    expect(await mailsMatching(p.t, school.admin.user.email, '5 seats more')).toHaveLength(1);

    for (const userId of taken.slice(0, 5)) {
      const released = await call(admin, 'DELETE', `/licenses/${license.id}/seats/${userId}`);
      expect(released.status).toBe(204);
    }
    expect((await call(admin, 'GET', `/licenses/${license.id}`)).body).toMatchObject({
      status: 'active',
      total_seats: 25,
      used_seats: 25,
      surplus_seats: 0,
    });

    const moves = await query<{ actor_type: string; metadata: { from: string; to: string } }>(
      p.t.databaseUrl,
      `SELECT actor_type, metadata FROM audit_logs
       WHERE action = 'license.status_changed' AND resource_id = $1`,
      [license.id],
    );
    expect(moves).toEqual([
      expect.objectContaining({
        actor_type: 'system',
        metadata: expect.objectContaining({ from: 'active', to: 'over_allocated' }),
      }),
    ]);
  });

  it('should make one license when several events of a subscription without one are handled at once', async () => {
    const { school, subscription, license } = await buySeats(12);
    // As if the license had never been made: the first events now race to make it.
    await query(p.t.databaseUrl, `DELETE FROM school_licenses WHERE id = $1`, [license.id]);
    const row = await subscriptionRow(p.t, subscription);
    const payload = {
      subscription_id: row?.id,
      stripe_subscription_id: subscription,
      payer_type: 'tenant',
      tenant_id: school.tenant,
      status: 'active',
      quantity: 12,
      seat_based: true,
    };
    const ids = await publishApart(
      Array.from({ length: 8 }, (_, index) => ({
        type: index % 2 ? 'subscription.canceled' : 'subscription.changed',
        aggregateId: String(row?.id),
        payload,
      })),
    );
    for (const id of ids) {
      // Each at its first attempt: the race ends in the unique index, not in an error and a retry.
      expect(await handled(id)).toMatchObject({ attemptsMade: 1, stacktrace: [] });
    }
    const licenses = await query<{ total_seats: number; status: string }>(
      p.t.databaseUrl,
      `SELECT total_seats, status FROM school_licenses WHERE source = $1`,
      [subscription],
    );
    expect(licenses).toEqual([{ total_seats: 12, status: 'active' }]);
  });

  it('should end the license at the period end once canceled, and at the end when Stripe ends it', async () => {
    const { school, admin, subscription, license } = await buySeats(10);
    await call(admin, 'POST', `/licenses/${license.id}/seats`, {
      user_ids: await students(school.tenant, 3),
    });
    const periodEnd = await periodEndOf(subscription);
    await deliverAndProcess(
      p.t,
      p.stripe,
      p.stripe.updateSubscription(subscription, { cancel_at_period_end: true }),
    );
    const ending = await licenseMatching(admin, license.id, {
      expires_at: new Date(periodEnd).toISOString(),
    });
    expect(ending).toMatchObject({ status: 'active', total_seats: 10, used_seats: 3 });

    clock.advance(periodEnd - clock.nowMs() + 60_000);
    const endedAt = clock.nowMs();
    await deliverAndProcess(p.t, p.stripe, p.stripe.endPeriod(subscription));
    const ended = await waitFor(async () => {
      const [row] = await query<{ status: string; expires_at: Date }>(
        p.t.databaseUrl,
        `SELECT status, expires_at FROM school_licenses WHERE id = $1`,
        [license.id],
      );
      return row?.status === 'expired' ? row : undefined;
    });
    expect(Math.abs(ended.expires_at.getTime() - endedAt)).toBeLessThan(5000);
  });

  it('should keep every seat when the subscription renews, and move the end by a period', async () => {
    const { school, admin, subscription, license } = await buySeats(5);
    const seated = await students(school.tenant, 4);
    await call(admin, 'POST', `/licenses/${license.id}/seats`, { user_ids: seated });
    const firstEnd = await periodEndOf(subscription);

    clock.advance(firstEnd - clock.nowMs() + 60_000);
    await deliverAndProcess(p.t, p.stripe, p.stripe.renew(subscription, { paid: true }));
    const nextEnd = await periodEndOf(subscription);
    expect(nextEnd).toBeGreaterThan(firstEnd);
    const renewed = await licenseMatching(admin, license.id, {
      expires_at: new Date(nextEnd + GRACE_DAYS * DAY_MS).toISOString(),
    });
    expect(renewed).toMatchObject({ status: 'active', total_seats: 5, used_seats: 4 });
    const seats = await call<{ items: Array<{ user_id: string }> }>(
      admin,
      'GET',
      `/licenses/${license.id}/seats`,
    );
    expect(seats.body.items.map((seat) => seat.user_id).sort()).toEqual([...seated].sort());
  });

  it('should show the seats in the market usage and limits, with seats reached when all are taken', async () => {
    const { school, admin, license } = await buySeats(3);
    const usage = await market(p.t, 'GET', `/mt/tenant/${school.tenant}/usage`);
    expect(usage.status).toBe(200);
    expect(usage.body.licenses).toEqual({
      total_seats: 3,
      used_seats: 0,
      available_seats: 3,
      next_expiry: license.expires_at,
    });
    const open = await market<{ reached: string[] }>(
      p.t,
      'GET',
      `/mt/tenant/${school.tenant}/limits`,
    );
    expect(open.body.reached).not.toContain('seats');

    await call(admin, 'POST', `/licenses/${license.id}/seats`, {
      user_ids: await students(school.tenant, 3),
    });
    const full = await market<{ reached: string[]; licenses: Record<string, unknown> }>(
      p.t,
      'GET',
      `/mt/tenant/${school.tenant}/limits`,
    );
    expect(full.body.reached).toContain('seats');
    expect(full.body.licenses).toMatchObject({ total_seats: 3, used_seats: 3, available_seats: 0 });
  });

  it("should mail the school's active admins, once each, when a license is about to end", async () => {
    const { school, license } = await buySeats(2);
    const suspended = await createUser(p.t, { tenant: school.tenant, role: 'admin' });
    await query(
      p.t.databaseUrl,
      `UPDATE memberships SET status = 'suspended' WHERE user_id = $1 AND tenant_id = $2`,
      [suspended.id, school.tenant],
    );
    const second = await createUser(p.t, { tenant: school.tenant, role: 'admin' });
    const payload = {
      license_id: license.id,
      tenant_id: school.tenant,
      status: 'active',
      total_seats: 2,
      used_seats: 0,
      surplus_seats: 0,
      expires_at: license.expires_at,
      source: license.source,
      days_before: 7,
    };
    await writeEvent('license.expiring', license.id, payload);
    const fragment = `license ends in 7 days on ${license.expires_at.slice(0, 10)}`;
    for (const admin of [school.admin.user, second]) {
      await waitFor(async () => (await mailsMatching(p.t, admin.email, fragment)).length > 0);
    }
    await relayed();
    expect(await mailsMatching(p.t, school.admin.user.email, fragment)).toHaveLength(1);
    expect(await mailsMatching(p.t, suspended.email, 'license ends')).toHaveLength(0);
    const callback = await waitFor(() =>
      Promise.resolve(
        receiver.deliveries.find(
          (delivery) =>
            delivery.tenant_id === school.tenant && delivery.event_type === 'license.expiring',
        ),
      ),
    );
    expect(callback.data).toMatchObject({ license_id: license.id, days_before: 7 });
  });
});
