import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, type TestApp } from '../support/test-app.js';

const PROBE = 'test/fixtures/probe.module.ts#ProbeModule';
const ITEM = '/api/v1/probe/items/6f1c2b9d-8e7a-4a8e-9a4e-3f1c2b9d8e7a';

function expectEnvelope(body: Record<string, unknown>, code: string): void {
  expect(body).toEqual({
    error_code: code,
    message: expect.any(String),
    details: null,
    timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    request_id: expect.any(String),
  });
}

describe('the error envelope', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ fixtures: [PROBE], env: { BODY_LIMIT_BYTES: '2048' } });
  });

  afterAll(async () => {
    await t.close();
  });

  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${t.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });

  it('should answer an unknown route with the 404 envelope carrying the request id', async () => {
    const response = await post('/api/v1/nonexistent', '{}');
    const body = (await response.json()) as Record<string, unknown>;
    expect(response.status).toBe(404);
    expect(Object.keys(body).sort()).toEqual([
      'details',
      'error_code',
      'message',
      'request_id',
      'timestamp',
    ]);
    expect(body.error_code).toBe('COMMON_NOT_FOUND');
    expect(body.request_id).toBe(response.headers.get('x-request-id'));
  });

  it('should answer malformed JSON with 400 COMMON_MALFORMED_JSON', async () => {
    const response = await post(ITEM, '{"name": "ab",');
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error_code: string }).error_code).toBe(
      'COMMON_MALFORMED_JSON',
    );
  });

  it('should answer a body over the limit with 413', async () => {
    const response = await post(ITEM, JSON.stringify({ name: 'x'.repeat(10_000), quantity: 1 }));
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error_code: string }).error_code).toBe(
      'COMMON_PAYLOAD_TOO_LARGE',
    );
  });

  it('should answer content types other than JSON with 415', async () => {
    for (const contentType of [
      'text/plain',
      'application/xml',
      'multipart/form-data; boundary=x',
    ]) {
      const response = await post(ITEM, 'name=x', { 'content-type': contentType });
      expect(response.status).toBe(415);
      expect(((await response.json()) as { error_code: string }).error_code).toBe(
        'COMMON_UNSUPPORTED_MEDIA_TYPE',
      );
    }
  });

  it('should list every invalid field in the validation details', async () => {
    const response = await post(
      ITEM,
      JSON.stringify({ name: 'a', quantity: 99, tag: { label: '' } }),
    );
    const body = (await response.json()) as {
      error_code: string;
      details: { fields: Array<{ field: string }> };
    };
    expect(response.status).toBe(400);
    expect(body.error_code).toBe('COMMON_VALIDATION_FAILED');
    expect(body.details.fields.map((f) => f.field).sort()).toEqual([
      'name',
      'quantity',
      'tag.label',
    ]);
  });

  it('should refuse properties the DTO does not declare', async () => {
    const response = await post(ITEM, JSON.stringify({ name: 'abc', quantity: 1, role: 'admin' }));
    const body = (await response.json()) as { details: { fields: Array<{ field: string }> } };
    expect(response.status).toBe(400);
    expect(body.details.fields).toEqual([
      { field: 'role', errors: ['property role should not exist'] },
    ]);
  });

  it('should refuse a malformed path parameter with 400, not 500', async () => {
    const response = await post(
      '/api/v1/probe/items/not-a-uuid',
      JSON.stringify({ name: 'abc', quantity: 1 }),
    );
    expect(response.status).toBe(400);
  });

  it('should accept a valid request', async () => {
    const response = await post(ITEM, JSON.stringify({ name: 'abc', quantity: 2 }));
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ id: expect.any(String), name: 'abc', quantity: 2 });
  });

  it('should hide the internals of an unexpected error behind a 500 envelope', async () => {
    const response = await post('/api/v1/probe/explode', '{}');
    const text = await response.text();
    expect(response.status).toBe(500);
    expectEnvelope(JSON.parse(text) as Record<string, unknown>, 'COMMON_INTERNAL_ERROR');
    expect(text).not.toMatch(/hunter2|10\.0\.0\.5|at \w+ \(|\.ts:\d+/);
  });

  it('should echo a well-formed X-Request-Id', async () => {
    const response = await fetch(`${t.baseUrl}/api/v1/status`, {
      headers: { 'x-request-id': 'trace-abc.123:XYZ' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe('trace-abc.123:XYZ');
  });

  it.each([
    ['too short', 'abc'],
    ['too long', 'a'.repeat(300)],
    ['with spaces and quotes', 'abc def "quoted" value'],
    ['with a newline-like payload', 'abcdefgh%0d%0aSet-Cookie:x'],
  ])('should replace a request id that is %s with a generated one', async (_label, value) => {
    const response = await fetch(`${t.baseUrl}/api/v1/nonexistent`, {
      headers: { 'x-request-id': value },
    });
    const body = (await response.json()) as { request_id: string };
    expect(response.status).toBe(404);
    expect(body.request_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers.get('x-request-id')).toBe(body.request_id);
  });
});
