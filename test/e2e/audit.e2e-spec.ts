import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type * as AuditServiceModule from '../../src/common/audit/audit.service.js';
import { bearer, createTenant, createUser, login } from '../factories/accounts.js';
import { loadCompiled } from '../support/compiled.js';
import { query } from '../support/database-client.js';
import { requestJson, waitFor } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const { AuditService } = await loadCompiled<typeof AuditServiceModule>(
  'src/common/audit/audit.service.ts',
);

const PROBE = 'test/fixtures/probe.module.ts#ProbeModule';
const ITEM_ID = '0b4f9d2e-5c1a-4e7b-8f3d-2a6c9e1b7d40';

interface AuditRow {
  actor_type: string;
  actor_id: string | null;
  action: string;
  resource_type: string | null;
  resource_id: string | null;
  outcome: string;
  status_code: number;
  ip: string;
  user_agent: string;
  request_id: string;
  metadata: { body: Record<string, unknown>; route: string; method: string };
}

describe('the audit log', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ fixtures: [PROBE] });
  });

  afterAll(async () => {
    await t.close();
  });

  const auditRowFor = (requestId: string) =>
    waitFor(async () => {
      const rows = await query<AuditRow>(
        t.databaseUrl,
        'SELECT * FROM audit_logs WHERE request_id = $1',
        [requestId],
      );
      return rows[0];
    });

  it('should record a successful mutating call with its actor, resource and outcome, without secrets', async () => {
    const response = await requestJson(`${t.baseUrl}/api/v1/probe/items/${ITEM_ID}`, {
      method: 'POST',
      headers: { 'user-agent': 'audit-test/1.0' },
      json: { name: 'notebook', quantity: 3, password: 'Sup3r-secret!' },
    });
    expect(response.status).toBe(201);
    const row = await auditRowFor(response.headers.get('x-request-id') ?? '');
    expect(row).toMatchObject({
      actor_type: 'anonymous',
      actor_id: null,
      action: 'probe.item.create',
      resource_type: 'probe_item',
      resource_id: ITEM_ID,
      outcome: 'success',
      status_code: 201,
      ip: '127.0.0.1',
      user_agent: 'audit-test/1.0',
    });
    expect(row.metadata).toMatchObject({
      method: 'POST',
      route: '/api/v1/probe/items/:id',
      body: { name: 'notebook', quantity: 3, password: '[redacted]' },
    });
    expect(JSON.stringify(row)).not.toContain('Sup3r-secret!');
  });

  it('should record a refused mutating call as a failure with its status', async () => {
    const response = await requestJson(`${t.baseUrl}/api/v1/probe/items/${ITEM_ID}`, {
      method: 'POST',
      json: { name: 'x', quantity: 0 },
    });
    expect(response.status).toBe(400);
    const row = await auditRowFor(response.headers.get('x-request-id') ?? '');
    expect(row).toMatchObject({
      action: 'probe.item.create',
      outcome: 'failure',
      status_code: 400,
    });
  });

  it('should name an undecorated route by its method and template, and record errors', async () => {
    const response = await requestJson(`${t.baseUrl}/api/v1/probe/explode`, {
      method: 'POST',
      json: {},
    });
    expect(response.status).toBe(500);
    const row = await auditRowFor(response.headers.get('x-request-id') ?? '');
    expect(row).toMatchObject({
      action: 'POST /api/v1/probe/explode',
      resource_type: 'probe',
      outcome: 'error',
      status_code: 500,
    });
  });

  it('should not record reads', async () => {
    const response = await fetch(`${t.baseUrl}/api/v1/status`);
    expect(response.status).toBe(200);
    // A later write is flushed in the same batch cycle; once it is there, the read would be too.
    const write = await requestJson(`${t.baseUrl}/api/v1/probe/items/${ITEM_ID}`, {
      method: 'POST',
      json: { name: 'pen', quantity: 1 },
    });
    await auditRowFor(write.headers.get('x-request-id') ?? '');
    const rows = await query(t.databaseUrl, 'SELECT 1 FROM audit_logs WHERE request_id = $1', [
      response.headers.get('x-request-id'),
    ]);
    expect(rows).toHaveLength(0);
  });

  const lostRecords = async () => {
    const metrics = await (await fetch(`${t.baseUrl}/metrics`)).text();
    return Number(/audit_records_total\{result="lost"\} (\d+)/.exec(metrics)?.[1] ?? 0);
  };

  it('should keep the records batched with a hostile path parameter or body, and store those too', async () => {
    const school = await createTenant(t);
    const admin = await login(t, await createUser(t, { tenant: school, role: 'admin' }));
    const [first, second] = await Promise.all([
      createUser(t, { tenant: school, schoolManaged: true }),
      createUser(t, { tenant: school, schoolManaged: true }),
    ]);
    const unlock = (id: string, token?: string) =>
      requestJson(`${t.baseUrl}/api/v1/users/${id}/unlock`, {
        method: 'POST',
        headers: token ? bearer(token) : {},
      });
    const requestIdOf = (response: { headers: Headers }) =>
      response.headers.get('x-request-id') ?? '';

    // Within one 200 ms batch: an admin action, two hostile anonymous calls, another action.
    const before = await unlock(first.id, admin.access_token);
    const nul = await unlock('%00');
    const surrogate = await requestJson(`${t.baseUrl}/api/v1/probe/items/${ITEM_ID}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name":"\\ud800 pen","quantity":1,"tag":{"label":"\\udc00"}}',
    });
    const after = await unlock(second.id, admin.access_token);
    expect(before.status).toBe(204);
    expect(after.status).toBe(204);

    const adminRows = await waitFor(async () => {
      const rows = await query<AuditRow>(
        t.databaseUrl,
        'SELECT * FROM audit_logs WHERE request_id = ANY($1) ORDER BY created_at',
        [[requestIdOf(before), requestIdOf(after)]],
      );
      return rows.length === 2 ? rows : undefined;
    });
    expect(adminRows.map((row) => [row.action, row.resource_id])).toEqual([
      ['user.unlocked', first.id],
      ['user.unlocked', second.id],
    ]);
    const nulRow = await auditRowFor(requestIdOf(nul));
    expect(nulRow).toMatchObject({ actor_type: 'anonymous', resource_id: '\\u0000' });
    expect(nulRow.metadata).toMatchObject({ params: { id: '\\u0000' } });
    const surrogateRow = await auditRowFor(requestIdOf(surrogate));
    expect(surrogateRow.action).toBe('probe.item.create');
    // Stored escaped (without a body if the HTTP layer refuses it before parsing).
    expect([null, { name: '\\ud800 pen', quantity: 1, tag: { label: '\\udc00' } }]).toContainEqual(
      surrogateRow.metadata.body,
    );
  });

  it('should make every string of a record storable when the service is called directly', async () => {
    const audit = t.app.get(AuditService);
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    const entry = (requestId: string, text: string) => ({
      actorType: 'system' as const,
      action: `test.storable ${text}`,
      resourceType: 'probe',
      resourceId: text,
      outcome: 'success' as const,
      userAgent: `agent ${text}`,
      requestId,
      metadata: { params: { id: text }, [`key ${text}`]: [text, { deep: text }] },
    });
    audit.record(entry(ids[0] ?? '', 'fine'));
    audit.record(entry(ids[1] ?? '', 'nul\u0000 high\ud800 low\udc00 pair🎓'));
    audit.record(entry(ids[2] ?? '', 'also fine'));
    await audit.flush();

    const rows = await query<AuditRow & { request_id: string }>(
      t.databaseUrl,
      'SELECT * FROM audit_logs WHERE request_id = ANY($1)',
      [ids],
    );
    expect(rows).toHaveLength(3);
    const hostile = rows.find((row) => row.request_id === ids[1]);
    const escaped = 'nul\\u0000 high\\ud800 low\\udc00 pair🎓';
    expect(hostile).toMatchObject({
      action: `test.storable ${escaped}`,
      resource_id: escaped,
      user_agent: `agent ${escaped}`,
      metadata: { params: { id: escaped }, [`key ${escaped}`]: [escaped, { deep: escaped }] },
    });
  });

  it('should insert a refused batch one by one, losing only the bad record and logging no contents', async () => {
    const audit = t.app.get(AuditService);
    const errors = jest.spyOn(audit['logger'], 'error');
    const lostBefore = await lostRecords();
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    const entry = (requestId: string, outcome: string) => ({
      actorType: 'anonymous' as const,
      action: 'test.fallback',
      outcome: outcome as 'success',
      ip: '203.0.113.9',
      userAgent: 'secret-agent/1.0',
      requestId,
      metadata: { body: { note: 'contents-of-the-record' } },
    });
    try {
      audit.record(entry(ids[0] ?? '', 'success'));
      // Breaks the table's check constraint: no escaping makes this one storable.
      audit.record(entry(ids[1] ?? '', 'not-an-outcome'));
      audit.record(entry(ids[2] ?? '', 'failure'));
      await audit.flush();

      const rows = await query<{ request_id: string }>(
        t.databaseUrl,
        'SELECT request_id FROM audit_logs WHERE request_id = ANY($1)',
        [ids],
      );
      expect(rows.map((row) => row.request_id).sort()).toEqual([ids[0], ids[2]].sort());
      expect(await lostRecords()).toBe(lostBefore + 1);
      expect(errors).toHaveBeenCalledTimes(1);
      expect(errors.mock.calls[0]).toEqual([
        { count: 1, reason: '23514' },
        'audit records could not be written',
      ]);
      const logged = JSON.stringify(errors.mock.calls);
      for (const content of ['203.0.113.9', 'secret-agent', 'contents-of-the-record', ids[1]]) {
        expect(logged).not.toContain(content);
      }
    } finally {
      errors.mockRestore();
    }
  });

  it('should stop retrying one by one when the database, not a record, is failing', async () => {
    const audit = t.app.get(AuditService);
    const errors = jest.spyOn(audit['logger'], 'error');
    const lostBefore = await lostRecords();
    await query(t.databaseUrl, 'ALTER TABLE audit_logs RENAME TO audit_logs_away');
    try {
      for (const note of ['one', 'two', 'three']) {
        audit.record({
          actorType: 'system',
          action: 'test.outage',
          outcome: 'success',
          metadata: { note },
        });
      }
      await audit.flush();
    } finally {
      await query(t.databaseUrl, 'ALTER TABLE audit_logs_away RENAME TO audit_logs');
    }
    const calls = [...errors.mock.calls];
    errors.mockRestore();
    expect(await lostRecords()).toBe(lostBefore + 3);
    // The batch, then the first record alone: the undefined table (42P01) ends it there.
    expect(calls).toEqual([[{ count: 3, reason: '42P01' }, 'audit records could not be written']]);
  });

  it('should keep answering when the audit table cannot be written, and count the lost records', async () => {
    await query(t.databaseUrl, 'ALTER TABLE audit_logs RENAME TO audit_logs_away');
    try {
      const response = await requestJson(`${t.baseUrl}/api/v1/probe/items/${ITEM_ID}`, {
        method: 'POST',
        json: { name: 'eraser', quantity: 1 },
      });
      expect(response.status).toBe(201);
      await waitFor(async () => {
        const metrics = await (await fetch(`${t.baseUrl}/metrics`)).text();
        return /audit_records_total\{result="lost"\} [1-9]/.test(metrics);
      });
    } finally {
      await query(t.databaseUrl, 'ALTER TABLE audit_logs_away RENAME TO audit_logs');
    }
  });
});
