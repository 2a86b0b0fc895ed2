import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, createTenant, createUser, login, type Tokens } from '../factories/accounts.js';
import type * as AuditServiceModule from '../../src/common/audit/audit.service.js';
import { loadCompiled } from '../support/compiled.js';
import { query } from '../support/database-client.js';
import { waitFor } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const { AuditService } = await loadCompiled<typeof AuditServiceModule>(
  'src/common/audit/audit.service.ts',
);

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

const ENVELOPE_KEYS = ['details', 'error_code', 'message', 'request_id', 'timestamp'];

interface Envelope {
  error_code: string;
  message: string;
  request_id: string;
  details: { fields?: Array<{ field: string; location?: string }>; max_depth?: number } | null;
}

/** A request written on a socket as is (bytes and sizes fetch would refuse to send). */
function rawRequest(baseUrl: string, head: string): Promise<{ head: string; body: string }> {
  return new Promise((resolve) => {
    const socket = net.connect(Number(new URL(baseUrl).port), '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    // The server closes after answering; a reset after the answer loses nothing we read.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      const raw = Buffer.concat(chunks).toString('latin1');
      const split = raw.indexOf('\r\n\r\n');
      resolve({ head: raw.slice(0, split), body: raw.slice(split + 4) });
    });
    socket.end(Buffer.from(head, 'latin1'));
  });
}

describe('hostile input that used to give 500', () => {
  let t: TestApp;
  let admin: Tokens;
  const recorded = new Map<string, string>();

  beforeAll(async () => {
    t = await startTestApp({ fixtures: [PROBE] });
    admin = await login(t, await createUser(t, { superAdmin: true }));
    // The action of each audit record, by request id, as the app hands it to the writer.
    const audit = t.app.get(AuditService);
    const record = audit.record.bind(audit);
    audit.record = (entry) => {
      recorded.set(entry.requestId ?? '', entry.action);
      record(entry);
    };
  });

  afterAll(async () => {
    await t.close();
  });

  const send = async (path: string, init: RequestInit = {}) => {
    const response = await fetch(`${t.baseUrl}${path}`, init);
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      text,
      body: JSON.parse(text) as Envelope,
    };
  };
  const postJson = (path: string, body: string, headers: Record<string, string> = {}) =>
    send(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });

  describe('deeply nested JSON', () => {
    it.each([
      ['arrays', (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`],
      ['objects', (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`],
    ])(
      'should refuse 5,000 levels of %s with 400 on anonymous and signed-in routes',
      async (_label, nest) => {
        for (const [path, headers] of [
          ['/api/v1/auth/login', {}],
          ['/api/v1/auth/register', {}],
          [ITEM, {}],
          ['/api/v1/classes', bearer(admin.access_token)],
        ] as const) {
          const response = await postJson(path, nest(5000), headers);
          expect([path, response.status, response.body.error_code]).toEqual([
            path,
            400,
            'COMMON_JSON_TOO_DEEP',
          ]);
          expect(response.body.details).toEqual({ max_depth: 32 });
        }
      },
    );

    it('should refuse one level over 32, and let 32 levels reach validation', async () => {
      const nestedTag = (depth: number) =>
        JSON.stringify({
          name: 'abc',
          quantity: 1,
          tag: {
            label: 'x',
            extra: JSON.parse(`${'['.repeat(depth - 2)}${']'.repeat(depth - 2)}`) as unknown,
          },
        });
      expect((await postJson(ITEM, nestedTag(33))).body.error_code).toBe('COMMON_JSON_TOO_DEEP');
      expect((await postJson(ITEM, nestedTag(32))).body.error_code).toBe(
        'COMMON_VALIDATION_FAILED',
      );
    });

    it('should not block the event loop while refusing 100,000-level bodies', async () => {
      const body = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
      const delay = monitorEventLoopDelay({ resolution: 5 });
      delay.enable();
      const started = performance.now();
      const responses = await Promise.all(
        Array.from({ length: 10 }, () => postJson('/api/v1/auth/login', body)),
      );
      const elapsed = performance.now() - started;
      delay.disable();
      expect(responses.map((r) => r.body.error_code)).toEqual(
        Array(10).fill('COMMON_JSON_TOO_DEEP'),
      );
      // Each used to block the loop for 0.3–1 s (a parse, then a recursive walk that overflowed),
      // so nearly every sample was a long stall. The 90th percentile, not the maximum: one
      // garbage collection of the test process under CI load once took 255 ms by itself.
      expect(delay.percentile(90) / 1e6).toBeLessThan(100);
      expect(elapsed).toBeLessThan(2000);
    });
  });

  describe('NUL characters and lone surrogates', () => {
    it.each([
      ['/api/v1/users?q=%00', 'q'],
      ['/api/v1/classes?q=%00', 'q'],
      ['/api/v1/audit-logs?action=%00', 'action'],
      ['/api/v1/audit-logs?actor_id=%00', 'actor_id'],
      ['/api/v1/users?q=a%00b&limit=5', 'q'],
    ])('should refuse GET %s with 400 naming the query field', async (path, field) => {
      const response = await send(path, { headers: bearer(admin.access_token) });
      expect(response.status).toBe(400);
      expect(response.body.error_code).toBe('COMMON_INVALID_CHARACTERS');
      expect(response.body.details?.fields).toEqual([
        { field, location: 'query', errors: [expect.any(String)] },
      ]);
    });

    it('should refuse a NUL in a path parameter with 400 (401 first when signed out)', async () => {
      const signedIn = await send('/api/v1/users/%00/unlock', {
        method: 'POST',
        headers: bearer(admin.access_token),
      });
      expect(signedIn.status).toBe(400);
      expect(signedIn.body.error_code).toBe('COMMON_INVALID_CHARACTERS');
      expect(signedIn.body.details?.fields?.[0]).toMatchObject({ field: 'id', location: 'path' });
      // The guards run first, so the audit trail names the refused call.
      const anonymous = await send('/api/v1/users/%00/unlock', { method: 'POST' });
      expect(anonymous.status).toBe(401);
    });

    it('should refuse a NUL in a public route path parameter and name the audited action', async () => {
      const response = await postJson('/api/v1/probe/items/%00', '{"name":"abc","quantity":1}');
      expect(response.status).toBe(400);
      expect(response.body.details?.fields?.[0]).toMatchObject({ field: 'id', location: 'path' });
      await waitFor(async () => Promise.resolve(recorded.has(response.body.request_id)));
      expect(recorded.get(response.body.request_id)).toBe('probe.item.create');
    });

    it.each([
      ['a lone high surrogate in email', { email: 'a\ud800@school.test', password: 'x' }, 'email'],
      ['a lone low surrogate in email', { email: '\udc00@school.test', password: 'x' }, 'email'],
      ['a NUL in password', { email: 'a@school.test', password: 'a\u0000b' }, 'password'],
      [
        'a lone surrogate in a key',
        { email: 'a@school.test', password: 'x', ['\ud800']: 1 },
        '\\ud800',
      ],
    ])('should refuse %s with 400 naming the body field', async (_label, body, field) => {
      for (const path of [
        '/api/v1/auth/login',
        '/api/v1/auth/register',
        '/api/v1/auth/forgot-password',
      ]) {
        const response = await postJson(path, JSON.stringify(body));
        expect([path, response.status, response.body.error_code]).toEqual([
          path,
          400,
          'COMMON_INVALID_CHARACTERS',
        ]);
        expect(response.body.details?.fields?.[0]).toMatchObject({ field, location: 'body' });
      }
    });

    it('should refuse a NUL in a header with the 400 envelope', async () => {
      const response = await rawRequest(
        t.baseUrl,
        'GET /api/v1/status HTTP/1.1\r\nhost: x\r\nuser-agent: a\u0000b\r\n\r\n',
      );
      expect(response.head).toMatch(/^HTTP\/1\.1 400 /);
      expect(Object.keys(JSON.parse(response.body) as object).sort()).toEqual(ENVELOPE_KEYS);
    });

    it('should still accept paired surrogates (emoji) and other unicode', async () => {
      const response = await postJson(ITEM, JSON.stringify({ name: '🌱 김민지', quantity: 1 }));
      expect(response.status).toBe(201);
    });
  });

  describe('refusals made before the app sees the request', () => {
    it('should answer a path parameter over maxParamLength with a 414 envelope that does not echo the URL', async () => {
      const long = 'p'.repeat(500);
      const response = await send(`/api/v1/users/${long}/unlock`, { method: 'POST' });
      expect(response.status).toBe(414);
      expect(Object.keys(response.body).sort()).toEqual(ENVELOPE_KEYS);
      expect(response.body.error_code).toBe('COMMON_URI_TOO_LONG');
      expect(response.text).not.toContain(long);
      expect(response.headers.get('x-request-id')).toBe(response.body.request_id);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    });

    it('should answer a malformed percent-encoding in the path with a 400 envelope', async () => {
      const response = await send('/api/v1/users/%E0%A4%A/unlock', { method: 'POST' });
      expect(response.status).toBe(400);
      expect(response.body.error_code).toBe('COMMON_BAD_REQUEST');
      expect(response.text).not.toContain('%E0%A4%A');
    });

    it('should answer 64 KiB of headers with a 431 envelope carrying a request id', async () => {
      const response = await rawRequest(
        t.baseUrl,
        `GET /api/v1/status HTTP/1.1\r\nhost: x\r\nx-big: ${'h'.repeat(64 * 1024)}\r\n\r\n`,
      );
      expect(response.head).toMatch(/^HTTP\/1\.1 431 /);
      const body = JSON.parse(response.body) as Envelope;
      expect(Object.keys(body).sort()).toEqual(ENVELOPE_KEYS);
      expect(body.error_code).toBe('COMMON_HEADERS_TOO_LARGE');
      expect(response.head.toLowerCase()).toContain(`x-request-id: ${body.request_id}`);
      expect(response.head.toLowerCase()).toContain('x-content-type-options: nosniff');
    });
  });

  describe('references to rows that do not exist', () => {
    const userCount = async () =>
      Number((await query<{ n: string }>(t.databaseUrl, 'SELECT count(*) AS n FROM users'))[0]?.n);

    it.each([
      ['class', '/api/v1/classes', { name: '3-B Science' }],
      [
        'user',
        '/api/v1/users',
        { email: 'new@school.test', full_name: 'Kim Minji', role: 'student' },
      ],
      ['pupil', '/api/v1/users', { username: 'pupil-1', full_name: 'Kim Minji', role: 'student' }],
      // null asks for a platform key here.
      ['API key', '/api/v1/api-keys', { name: 'sync', scopes: ['users:read'] }, false],
    ])(
      "should answer a super admin's %s for a tenant that does not exist with 400 naming tenant_id",
      async (_label, path, body, nullRefused = true) => {
        const before = await userCount();
        for (const tenant_id of ['string', 'no_such_school', ...(nullRefused ? [null] : [])]) {
          const response = await postJson(
            path,
            JSON.stringify({ ...body, tenant_id }),
            bearer(admin.access_token),
          );
          expect([tenant_id, response.status, response.body.error_code]).toEqual([
            tenant_id,
            400,
            'COMMON_VALIDATION_FAILED',
          ]);
          expect(response.body.details?.fields?.map((f) => f.field)).toEqual(['tenant_id']);
        }
        expect(await userCount()).toBe(before);
      },
    );

    it("should answer a super admin's class for an existing tenant with 201", async () => {
      const tenant = await createTenant(t);
      const response = await postJson(
        '/api/v1/classes',
        JSON.stringify({ name: '3-B Science', tenant_id: tenant }),
        bearer(admin.access_token),
      );
      expect(response.status).toBe(201);
    });

    it('should answer a class member that names no user with 404', async () => {
      const tenant = await createTenant(t);
      const created = await postJson(
        '/api/v1/classes',
        JSON.stringify({ name: '3-B Science', tenant_id: tenant }),
        bearer(admin.access_token),
      );
      const classId = (created.body as unknown as { id: string }).id;
      const response = await postJson(
        `/api/v1/classes/${classId}/members`,
        JSON.stringify({ user_id: randomUUID(), role: 'student' }),
        bearer(admin.access_token),
      );
      expect(response.status).toBe(404);
      expect(response.body.error_code).toBe('CLASS_MEMBER_USER_NOT_FOUND');
    });
  });
});
