import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { query } from '../support/database-client.js';
import { requestJson, waitFor } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

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
