import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTenant, createUser } from '../factories/accounts.js';
import { query } from '../support/database-client.js';
import { requestJson, type JsonResponse } from '../support/http.js';
import { ManualClock } from '../support/manual-clock.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const MARKET_KEY = 'market-usage-key-for-tests-0123456789';
const KEY = { 'x-market-api-key': MARKET_KEY };

interface UsageEvent {
  event_id: string;
  user_id: string | null;
  session_id: string | null;
  kind: string;
  model: string;
  input_tokens: number;
  output_tokens: number;
  occurred_at: string;
}

// Micro-dollars per token (USD per 1k tokens × 1000): integers, so expected costs are exact.
const OVERRIDE_PRICES = {
  'gpt-4': { input_per_1k_usd: 0.01, output_per_1k_usd: 0.02 },
  'claude-3-5-sonnet': { input_per_1k_usd: 0.003, output_per_1k_usd: 0.015 },
};
const MICROS_PER_TOKEN: Record<string, [number, number]> = {
  'gpt-4': [10, 20],
  'claude-3-5-sonnet': [3, 15],
};

const DAY_MS = 86_400_000;

// The app and the test read one clock, set to noon UTC of today's date: "today" is the same
// day for both however long the run takes, even one started just before midnight.
const clock = new ManualClock();
const wall = new Date();
clock.advance(
  Date.UTC(wall.getUTCFullYear(), wall.getUTCMonth(), wall.getUTCDate(), 12) - wall.getTime(),
);
const day = (iso: string): string => iso.slice(0, 10);
const cents = (micros: number): number => Math.round(micros / 10_000) / 100;
const microsOf = (e: UsageEvent): number => {
  const [input, output] = MICROS_PER_TOKEN[e.model] ?? [0, 0];
  return e.input_tokens * input + e.output_tokens * output;
};
const tokensOf = (e: UsageEvent): number => e.input_tokens + e.output_tokens;
const sum = (events: UsageEvent[], of: (e: UsageEvent) => number): number =>
  events.reduce((total, e) => total + of(e), 0);

/** At `hour`:17 UTC, `daysAgo` days back: in the past, inside a 7d period. */
function at(daysAgo: number, hour: number): string {
  const date = new Date(clock.nowMs() - daysAgo * DAY_MS);
  date.setUTCHours(hour, 17, 0, 0);
  return date.toISOString();
}

function usageEvent(overrides: Partial<UsageEvent> = {}): UsageEvent {
  return {
    event_id: `evt-${randomBytes(6).toString('hex')}`,
    user_id: null,
    session_id: null,
    kind: 'chat',
    model: 'gpt-4',
    input_tokens: 1000,
    output_tokens: 500,
    occurred_at: at(1, 9),
    ...overrides,
  };
}

describe('Usage ingestion and the /mt stats', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env: { MARKET_API_KEYS: MARKET_KEY }, clock });
  });

  afterAll(async () => {
    await t.close();
  });

  const ingest = (tenant: string, events: unknown[]) =>
    requestJson(`${t.baseUrl}/mt/tenant/${tenant}/usage-events`, {
      method: 'POST',
      headers: KEY,
      json: { events },
    });

  const get = <T = Record<string, unknown>>(tenant: string, path: string) =>
    requestJson<T>(`${t.baseUrl}/mt/tenant/${tenant}/${path}`, { headers: KEY });

  const setSettings = (tenant: string, settings: Record<string, unknown>) =>
    query(t.databaseUrl, `UPDATE tenants SET settings = $2 WHERE id = $1`, [tenant, settings]);

  const eventCount = async (tenant: string): Promise<number> => {
    const rows = await query<{ count: string }>(
      t.databaseUrl,
      `SELECT count(*) AS count FROM usage_events WHERE tenant_id = $1`,
      [tenant],
    );
    return Number(rows[0]?.count);
  };

  /** The four dashboards, without the health probe's timing. */
  async function dashboards(tenant: string): Promise<Record<string, unknown>> {
    const stats = await get(tenant, 'stats?period=7d');
    const { health: _health, ...statsWithoutHealth } = stats.body;
    return {
      stats: statsWithoutHealth,
      costs: (await get(tenant, 'stats/costs?period=7d')).body,
      patterns: (await get(tenant, 'stats/usage-patterns?period=7d')).body,
      top: (await get(tenant, 'stats/top-users?period=7d')).body,
    };
  }

  /** A tenant with priced models and two members; 7 events over 3 days, 3 sessions. */
  async function tenantWithUsage() {
    const tenant = await createTenant(t);
    await setSettings(tenant, { model_prices: OVERRIDE_PRICES });
    const kim = await createUser(t, { tenant });
    const lee = await createUser(t, { tenant, role: 'teacher' });
    const events = [
      usageEvent({ user_id: kim.id, session_id: 's1', occurred_at: at(1, 9) }),
      usageEvent({ user_id: kim.id, session_id: 's1', occurred_at: at(1, 9), output_tokens: 0 }),
      usageEvent({
        user_id: kim.id,
        session_id: 's2',
        occurred_at: at(2, 14),
        model: 'claude-3-5-sonnet',
      }),
      usageEvent({ user_id: lee.id, session_id: 's3', occurred_at: at(2, 14), input_tokens: 4000 }),
      usageEvent({
        user_id: lee.id,
        session_id: 's3',
        occurred_at: at(3, 22),
        model: 'claude-3-5-sonnet',
        output_tokens: 2200,
      }),
      usageEvent({ user_id: null, session_id: null, occurred_at: at(3, 9), input_tokens: 300 }),
      usageEvent({ user_id: lee.id, session_id: null, occurred_at: at(1, 22), input_tokens: 0 }),
    ];
    return { tenant, kim, lee, events };
  }

  it('should count a batch once: resent, every event is a duplicate and no figure moves', async () => {
    const { tenant, events } = await tenantWithUsage();
    const first = await ingest(tenant, events);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      tenant_id: tenant,
      received: 7,
      accepted: 7,
      duplicates: 0,
      rejected: [],
    });
    const before = await dashboards(tenant);

    const again = await ingest(tenant, events);
    expect(again.body).toMatchObject({ received: 7, accepted: 0, duplicates: 7 });
    expect(await dashboards(tenant)).toEqual(before);
    expect(await eventCount(tenant)).toBe(7);
  });

  it('should move stats, costs, top users and patterns by exactly what was ingested', async () => {
    const { tenant, kim, lee, events } = await tenantWithUsage();
    expect((await ingest(tenant, events)).body).toMatchObject({ accepted: 7 });

    const stats = await get<{
      period: string;
      summary: Record<string, number>;
      trends: { daily: Array<{ date: string; users: number; messages: number; tokens: number }> };
      health: Record<string, unknown>;
    }>(tenant, 'stats?period=7d');
    expect(stats.status).toBe(200);
    expect(stats.body.period).toBe('7d');
    expect(stats.body.summary).toEqual({
      total_users: 2,
      active_users: 2,
      new_users_this_period: 2,
      total_sessions: 3,
      total_messages: 7,
      total_tokens: sum(events, tokensOf),
      estimated_cost_usd: cents(sum(events, microsOf)),
    });
    expect(stats.body.health).toEqual({
      status: 'healthy',
      last_check: expect.any(String),
      response_time_ms: expect.any(Number),
    });
    const daily = stats.body.trends.daily;
    expect(daily).toHaveLength(7);
    expect(daily[0]?.date).toBe(day(clock.now().toISOString()));
    for (const entry of daily) {
      const ofDay = events.filter((e) => day(e.occurred_at) === entry.date);
      expect(entry).toEqual({
        date: entry.date,
        users: new Set(ofDay.flatMap((e) => (e.user_id ? [e.user_id] : []))).size,
        messages: ofDay.length,
        tokens: sum(ofDay, tokensOf),
      });
    }

    const costs = await get<{
      total_cost_usd: number;
      by_model: unknown[];
      by_user_top10: unknown[];
      daily_trend: Array<{ date: string; cost_usd: number }>;
    }>(tenant, 'stats/costs?period=7d');
    const ofModel = (model: string) => events.filter((e) => e.model === model);
    const ofUser = (id: string | null) => events.filter((e) => e.user_id === id);
    const modelCost = (model: string) => ({
      model,
      input_tokens: sum(ofModel(model), (e) => e.input_tokens),
      output_tokens: sum(ofModel(model), (e) => e.output_tokens),
      cost_usd: cents(sum(ofModel(model), microsOf)),
    });
    const userCost = (id: string) => ({
      user_id: id,
      name: 'Test Person',
      cost_usd: cents(sum(ofUser(id), microsOf)),
      tokens: sum(ofUser(id), tokensOf),
    });
    expect(costs.body.total_cost_usd).toBe(cents(sum(events, microsOf)));
    const models = [modelCost('gpt-4'), modelCost('claude-3-5-sonnet')];
    expect(costs.body.by_model).toEqual(models.sort((a, b) => b.cost_usd - a.cost_usd));
    const users = [userCost(kim.id), userCost(lee.id)];
    expect(costs.body.by_user_top10).toEqual(users.sort((a, b) => b.cost_usd - a.cost_usd));
    for (const entry of costs.body.daily_trend) {
      const ofDay = events.filter((e) => day(e.occurred_at) === entry.date);
      expect(entry.cost_usd).toBe(cents(sum(ofDay, microsOf)));
    }

    const top = await get<{ users: Array<Record<string, unknown>> }>(
      tenant,
      'stats/top-users?period=7d',
    );
    const topOf = (user: { id: string; email: string }, sessions: number) => ({
      user_id: user.id,
      name: 'Test Person',
      email: user.email,
      messages: ofUser(user.id).length,
      tokens: sum(ofUser(user.id), tokensOf),
      cost_usd: cents(sum(ofUser(user.id), microsOf)),
      sessions,
    });
    const expectedTop = [topOf(kim, 2), topOf(lee, 1)].sort((a, b) => b.tokens - a.tokens);
    expect(top.body.users).toEqual(expectedTop);
    const limited = await get<{ users: unknown[] }>(tenant, 'stats/top-users?period=7d&limit=1');
    expect(limited.body.users).toEqual(expectedTop.slice(0, 1));

    const patterns = await get<{
      by_hour: Array<{ hour: number; messages: number; tokens: number }>;
      by_weekday: Array<{ weekday: number; messages: number; tokens: number }>;
      peak_hour: number | null;
    }>(tenant, 'stats/usage-patterns?period=7d');
    expect(patterns.body.by_hour).toHaveLength(24);
    expect(patterns.body.by_weekday).toHaveLength(7);
    for (const bucket of patterns.body.by_hour) {
      const ofHour = events.filter((e) => new Date(e.occurred_at).getUTCHours() === bucket.hour);
      expect(bucket).toEqual({
        hour: bucket.hour,
        messages: ofHour.length,
        tokens: sum(ofHour, tokensOf),
      });
    }
    for (const bucket of patterns.body.by_weekday) {
      const ofWeekday = events.filter(
        (e) => new Date(e.occurred_at).getUTCDay() === bucket.weekday,
      );
      expect(bucket).toMatchObject({
        messages: ofWeekday.length,
        tokens: sum(ofWeekday, tokensOf),
      });
    }
    // 09h has 3 events, 14h and 22h have 2 each.
    expect(patterns.body.peak_hour).toBe(9);
  });

  it("should price with the tenant's override instead of the platform price", async () => {
    const platform = await createTenant(t);
    const overridden = await createTenant(t);
    await setSettings(overridden, { model_prices: OVERRIDE_PRICES });
    const batch = [usageEvent({ input_tokens: 1000, output_tokens: 1000 })];
    await ingest(platform, batch);
    await ingest(overridden, batch);
    const costOf = async (tenant: string) =>
      (await get<{ total_cost_usd: number }>(tenant, 'stats/costs?period=7d')).body.total_cost_usd;
    // gpt-4 at the platform's 0.03 + 0.06 per 1k; the tenant's 0.01 + 0.02
    expect(await costOf(platform)).toBe(0.09);
    expect(await costOf(overridden)).toBe(0.03);
    const stored = await query<{ cost_usd: string }>(
      t.databaseUrl,
      `SELECT cost_usd FROM usage_events WHERE tenant_id = $1`,
      [overridden],
    );
    expect(stored).toEqual([{ cost_usd: '0.030000' }]);
  });

  it('should reject, one by one, events of users who are not members of the tenant', async () => {
    const tenant = await createTenant(t);
    const member = await createUser(t, { tenant });
    const outsider = await createUser(t, { tenant: await createTenant(t) });
    const kept = usageEvent({ user_id: member.id });
    const foreign = usageEvent({ user_id: outsider.id });
    const unknown = usageEvent({ user_id: randomUUID() });
    const response = await ingest(tenant, [kept, foreign, unknown]);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      tenant_id: tenant,
      received: 3,
      accepted: 1,
      duplicates: 0,
      rejected: [
        { event_id: foreign.event_id, reason: 'user_not_member' },
        { event_id: unknown.event_id, reason: 'user_not_member' },
      ],
    });
    const stats = await get<{ summary: Record<string, number> }>(tenant, 'stats?period=7d');
    expect(stats.body.summary).toMatchObject({ active_users: 1, total_messages: 1 });
  });

  it("should keep tenants apart: A's events never reach B's figures", async () => {
    const a = await tenantWithUsage();
    const b = await createTenant(t);
    const bMember = await createUser(t, { tenant: b });
    await ingest(a.tenant, a.events);
    // Event ids are per tenant: B reusing A's id is a new event of B.
    const reused = usageEvent({ event_id: a.events[0]?.event_id, user_id: bMember.id });
    expect((await ingest(b, [reused])).body).toMatchObject({ accepted: 1 });

    const stats = await get<{ summary: Record<string, number> }>(b, 'stats?period=7d');
    expect(stats.body.summary).toMatchObject({
      total_users: 1,
      active_users: 1,
      total_sessions: 0,
      total_messages: 1,
      total_tokens: tokensOf(reused),
    });
    const top = await get<{ users: Array<{ user_id: string }> }>(b, 'stats/top-users?period=7d');
    expect(top.body.users.map((user) => user.user_id)).toEqual([bMember.id]);
    const costs = await get<{ by_user_top10: Array<{ user_id: string }> }>(
      b,
      'stats/costs?period=7d',
    );
    expect(costs.body.by_user_top10.map((user) => user.user_id)).toEqual([bMember.id]);
    const patterns = await get<{ by_hour: Array<{ messages: number }> }>(
      b,
      'stats/usage-patterns?period=7d',
    );
    expect(patterns.body.by_hour.reduce((total, bucket) => total + bucket.messages, 0)).toBe(1);
  });

  it('should answer zeros for a tenant without usage, 404 for an unknown one, 401 without a key', async () => {
    const empty = await createTenant(t, { status: 'deactivated' });
    const stats = await get<{ summary: Record<string, number>; trends: { daily: unknown[] } }>(
      empty,
      'stats',
    );
    expect(stats.body.summary).toMatchObject({ total_messages: 0, estimated_cost_usd: 0 });
    expect(stats.body.trends.daily).toHaveLength(30);
    const patterns = await get(empty, 'stats/usage-patterns?period=90d');
    expect(patterns.body).toMatchObject({ period: '90d', peak_hour: null, peak_weekday: null });
    // A deactivated tenant still takes usage: the services report late.
    expect((await ingest(empty, [usageEvent()])).body).toMatchObject({ accepted: 1 });

    for (const response of [
      await get('no_such_school', 'stats'),
      await ingest('no_such_school', [usageEvent()]),
    ]) {
      expect(response.status).toBe(404);
      expect(response.body).toMatchObject({ error_code: 'TENANT_NOT_FOUND' });
    }
    const anonymous = await requestJson(`${t.baseUrl}/mt/tenant/${empty}/stats`);
    expect(anonymous.status).toBe(401);
  });

  it('should refuse a bad batch with a 400 envelope and write nothing of it', async () => {
    const tenant = await createTenant(t);
    const member = await createUser(t, { tenant });
    const good = () => usageEvent({ user_id: member.id });
    const duplicate = good();
    const badBatches: unknown[][] = [
      Array.from({ length: 1001 }, good),
      [duplicate, good(), { ...duplicate }],
      [good(), usageEvent({ input_tokens: -1 })],
      [good(), usageEvent({ output_tokens: 1.5 })],
      [good(), usageEvent({ occurred_at: 'yesterday' })],
      [good(), usageEvent({ occurred_at: '2026-13-01T00:00:00Z' })],
      [good(), usageEvent({ occurred_at: '2026-01-01T00:00:00' })],
      [good(), usageEvent({ occurred_at: new Date(clock.nowMs() + 3_600_000).toISOString() })],
      [good(), usageEvent({ occurred_at: new Date(clock.nowMs() - 500 * DAY_MS).toISOString() })],
      [good(), usageEvent({ user_id: 'user_123' })],
      [good(), usageEvent({ event_id: '' })],
      [good(), { ...good(), model: undefined }],
      [good(), { ...good(), extra: 1 }],
      [],
    ];
    for (const batch of badBatches) {
      const response = await ingest(tenant, batch);
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({
        error_code: 'COMMON_VALIDATION_FAILED',
        request_id: expect.any(String),
      });
    }
    const negative = await ingest(tenant, [good(), usageEvent({ input_tokens: -1 })]);
    expect(JSON.stringify(negative.body.details)).toContain('events.1.input_tokens');
    const notAnArray = await requestJson(`${t.baseUrl}/mt/tenant/${tenant}/usage-events`, {
      method: 'POST',
      headers: KEY,
      json: { events: good() },
    });
    expect(notAnArray.status).toBe(400);
    expect(await eventCount(tenant)).toBe(0);
  });

  it('should take 1,000 events in one batch', async () => {
    const tenant = await createTenant(t);
    const member = await createUser(t, { tenant });
    const batch = Array.from({ length: 1000 }, (_, index) =>
      usageEvent({
        event_id: `evt-${index}-${'x'.repeat(100)}`,
        user_id: member.id,
        session_id: `session-${index % 37}-${'y'.repeat(100)}`,
        occurred_at: at(1 + (index % 5), index % 24),
      }),
    );
    const response = await ingest(tenant, batch);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ accepted: 1000 });
    const stats = await get<{ summary: Record<string, number> }>(tenant, 'stats?period=7d');
    expect(stats.body.summary).toMatchObject({ total_messages: 1000, total_sessions: 37 });
  });

  it('should refuse bad periods with a 400 envelope', async () => {
    const tenant = await createTenant(t);
    const paths = [
      'stats?period=14d',
      'stats?period=7',
      'stats?period=',
      'stats/costs?from=2026-03-02&to=2026-03-01',
      'stats/costs?from=2026-03-01',
      'stats/usage-patterns?from=2026-02-30&to=2026-03-01',
      'stats/usage-patterns?from=2025-01-01&to=2026-01-02',
      'stats/top-users?period=7d&from=2026-01-01&to=2026-01-02',
      'stats/top-users?limit=0',
      'stats/top-users?limit=101',
      'stats?unknown=1',
    ];
    for (const path of paths) {
      const response: JsonResponse = await get(tenant, path);
      expect({ path, status: response.status }).toEqual({ path, status: 400 });
      expect(response.body).toMatchObject({ error_code: 'COMMON_VALIDATION_FAILED' });
    }
    const explicit = await get(tenant, 'stats/costs?from=2026-01-01&to=2026-01-31');
    expect(explicit.body).toMatchObject({ period: '2026-01-01/2026-01-31' });
    expect(explicit.body.daily_trend).toHaveLength(31);
  });

  it('should write tenant.limit_reached once per limit and period, when first exceeded', async () => {
    const tenant = await createTenant(t);
    await setSettings(tenant, { limits: { daily_tokens: 1000, monthly_tokens: 2000 } });
    const now = () => clock.now().toISOString();
    const batchOf = (tokens: number) => [
      usageEvent({ input_tokens: tokens, output_tokens: 0, occurred_at: now() }),
    ];
    const limitEvents = () =>
      query<{ aggregate_id: string; payload: Record<string, unknown> }>(
        t.databaseUrl,
        `SELECT aggregate_id, payload FROM outbox_events
         WHERE type = 'tenant.limit_reached' AND payload ->> 'tenant_id' = $1
         ORDER BY occurred_at`,
        [tenant],
      );
    await ingest(tenant, batchOf(600));
    expect(await limitEvents()).toEqual([]);

    await ingest(tenant, batchOf(600));
    const today = day(now());
    expect(await limitEvents()).toEqual([
      {
        aggregate_id: `${tenant}:daily_tokens:${today}`,
        payload: {
          tenant_id: tenant,
          limit: 'daily_tokens',
          limit_value: 1000,
          used: 1200,
          period: today,
        },
      },
    ]);

    await ingest(tenant, batchOf(600));
    await ingest(tenant, batchOf(600));
    const events = await limitEvents();
    expect(events.map((event) => event.payload.limit)).toEqual(['daily_tokens', 'monthly_tokens']);
    expect(events[1]?.payload).toMatchObject({ used: 2400, period: today.slice(0, 7) });
  });
});
