import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Validator } from '@seriousme/openapi-schema-validator';
import { requestJson } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

function sampleValue(metrics: string, series: string): number {
  const line = metrics.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

describe('metrics and API documentation', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  it('should expose Prometheus metrics that count requests by route template and status', async () => {
    const series =
      'http_request_duration_seconds_count{method="GET",route="/api/v1/status",status_code="200"}';
    const before = sampleValue(await (await fetch(`${t.baseUrl}/metrics`)).text(), series);
    for (let i = 0; i < 3; i += 1) {
      expect((await fetch(`${t.baseUrl}/api/v1/status`)).status).toBe(200);
    }
    await fetch(`${t.baseUrl}/api/v1/no-such-route/42`);
    const response = await fetch(`${t.baseUrl}/metrics`);
    const metrics = await response.text();
    expect(response.headers.get('content-type')).toContain('text/plain');
    expect(sampleValue(metrics, series)).toBe(before + 3);
    expect(metrics).toContain('route="unmatched",status_code="404"');
    expect(metrics).toContain('process_cpu_user_seconds_total');
    expect(metrics).toContain('nodejs_eventloop_lag_seconds');
  });

  it('should serve Swagger UI at /docs', async () => {
    const response = await fetch(`${t.baseUrl}/docs`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('swagger-ui');
  });

  it('should serve a valid OpenAPI 3 document with security schemes and the shared error envelope', async () => {
    const { status, body } = await requestJson<{
      openapi: string;
      paths: Record<
        string,
        Record<string, { responses: Record<string, unknown>; tags?: string[] }>
      >;
      components: { securitySchemes: Record<string, unknown>; schemas: Record<string, unknown> };
    }>(`${t.baseUrl}/docs-json`);
    expect(status).toBe(200);
    expect(body.openapi).toMatch(/^3\./);
    const result = await new Validator().validate(body);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);

    expect(body.components.securitySchemes).toMatchObject({
      bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
      'api-key': { type: 'apiKey', in: 'header', name: 'X-API-Key' },
      'market-api-key': { type: 'apiKey', in: 'header', name: 'X-Market-API-Key' },
    });
    expect(body.components.schemas.ErrorEnvelope).toMatchObject({
      required: expect.arrayContaining([
        'error_code',
        'message',
        'details',
        'timestamp',
        'request_id',
      ]),
    });
    const operations = Object.values(body.paths).flatMap((item) => Object.values(item));
    expect(operations.length).toBeGreaterThan(0);
    for (const operation of operations) {
      expect(operation.tags?.length).toBeGreaterThan(0);
      // Any route may be rate limited; the other errors depend on the route (error-codes test).
      expect(operation.responses['429']).toBeDefined();
      for (const [status, response] of Object.entries(operation.responses)) {
        if (Number(status) >= 400) {
          expect(response).toMatchObject({
            content: {
              'application/json': { schema: { $ref: '#/components/schemas/ErrorEnvelope' } },
            },
          });
        }
      }
    }
  });

  it('should document which operations need a bearer token and which are public', async () => {
    const { body } = await requestJson<{
      paths: Record<string, Record<string, { security?: unknown[]; responses: object }>>;
    }>(`${t.baseUrl}/docs-json`);
    const me = body.paths['/api/v1/users/me']?.get;
    expect(me?.security).toEqual([{ bearer: [] }]);
    expect(me?.responses).toHaveProperty('401');
    const login = body.paths['/api/v1/auth/login']?.post;
    expect(login?.security).toEqual([]);
    for (const [path, item] of Object.entries(body.paths)) {
      for (const operation of Object.values(item)) {
        expect([path, Array.isArray(operation.security)]).toEqual([path, true]);
        expect(JSON.stringify(operation)).not.toContain('x-public');
      }
    }
  });
});
