import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, createUser, login, type TestUser } from '../factories/accounts.js';
import { activateTenant, MARKET_KEY, marketEnv } from '../factories/market.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Every operation of the OpenAPI document, sent hostile variants of its inputs by three
 * callers (anonymous, a super admin, the Service Market): no answer may be a 5xx, and every
 * 4xx must be the error envelope.
 */

const ENVELOPE_KEYS = ['details', 'error_code', 'message', 'request_id', 'timestamp'];
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
const NUL = 'a\u0000b';
const LONE_HIGH = 'x\ud800';
const LONE_LOW = '\udc00x';
const LONG = 'a'.repeat(10_000);
const HOSTILE_STRINGS = [NUL, LONE_HIGH, LONE_LOW, LONG];
const WRONG_TYPES: unknown[] = [null, 42, -1, 1e308, true, [], ['a'], {}, { a: { b: 'c' } }, ''];
// What a client can put in a URL: NUL, the UTF-8-ish bytes of a lone surrogate, broken escapes.
const HOSTILE_URL_VALUES = [
  '%00',
  'a%00b',
  '%ED%A0%80',
  '%ud800',
  '%ZZ',
  '..',
  LONG.slice(0, 2000),
];
/** Over the router's maxParamLength (100). */
const LONG_PATH_PARAM = 'p'.repeat(500);
/** Over Node's maxHeaderSize (16 KiB). */
const HEADER_64K = 'h'.repeat(64 * 1024);
const CONCURRENCY = 8;

/**
 * The LTI routes answer people inside their LMS, so a refusal there is a page, not JSON: it
 * names its code in X-Error-Code and in the page.
 */
function isLtiRefusalPage(headers: Headers | undefined, text: string): boolean {
  const code = headers?.get('x-error-code') ?? '';
  return (
    (headers?.get('content-type') ?? '').startsWith('text/html') &&
    /^LTI_[A-Z_]+$/.test(code) &&
    text.includes(code)
  );
}

interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  example?: unknown;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
  minimum?: number;
  minLength?: number;
  maxLength?: number;
}

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Schema;
}

interface Operation {
  method: string;
  path: string;
  parameters: Parameter[];
  body?: Schema;
}

interface OpenApiDocument {
  paths: Record<
    string,
    Partial<
      Record<
        string,
        {
          parameters?: Parameter[];
          requestBody?: { content?: Record<string, { schema?: Schema }> };
        }
      >
    >
  >;
  components: { schemas: Record<string, Schema> };
}

interface Probe {
  label: string;
  method: string;
  /** Already encoded. */
  url: string;
  headers: Record<string, string>;
  /** Raw body text (hostile strings survive JSON.stringify as escapes). */
  body?: string;
}

interface Outcome {
  label: string;
  status: number;
  problem?: string;
}

describe('the OpenAPI fuzz', () => {
  let t: TestApp;
  let document: OpenApiDocument;
  let admin: TestUser;
  let adminToken: string;
  let tenantId: string;

  beforeAll(async () => {
    t = await startTestApp({ env: { ...marketEnv } });
    const response = await fetch(`${t.baseUrl}/docs-json`);
    document = (await response.json()) as OpenApiDocument;
    admin = await createUser(t, { superAdmin: true });
    adminToken = (await login(t, admin)).access_token;
    tenantId = await activateTenant(t);
  });

  afterAll(async () => {
    await t.close();
  });

  const resolve = (schema: Schema | undefined): Schema => {
    let current = schema ?? {};
    for (let hops = 0; current.$ref && hops < 10; hops += 1) {
      current = document.components.schemas[current.$ref.split('/').pop() ?? ''] ?? {};
    }
    if (current.allOf?.length) {
      return current.allOf.map(resolve).reduce((merged, part) => ({
        ...merged,
        ...part,
        properties: { ...merged.properties, ...part.properties },
        required: [...(merged.required ?? []), ...(part.required ?? [])],
      }));
    }
    return current;
  };

  /**
   * A plausible value: the documented example, else one by type. `prefill` mimics Swagger UI's
   * "Try it out": every property, a string without an example is "string" (a well-formed
   * tenant id that names no tenant).
   */
  const exampleOf = (input: Schema | undefined, prefill = false, depth = 0): unknown => {
    const schema = resolve(input);
    if (schema.example !== undefined) {
      // A JSDoc `@example 3` documents a number, even for a string property.
      const { example } = schema;
      return schema.type === 'string' && typeof example === 'number' && !prefill
        ? String(example)
        : example;
    }
    if (schema.enum?.length) {
      return schema.enum[0];
    }
    const variant = schema.oneOf?.[0] ?? schema.anyOf?.[0];
    if (variant) {
      return exampleOf(variant, prefill, depth + 1);
    }
    switch (schema.type ?? 'object') {
      case 'integer':
      case 'number':
        return schema.minimum ?? (prefill ? 0 : 1);
      case 'boolean':
        return true;
      case 'array':
        return depth > 4 ? [] : [exampleOf(schema.items, prefill, depth + 1)];
      case 'string':
        return prefill && !schema.format ? 'string' : stringExample(schema);
      default:
        if (!schema.properties || depth > 4) {
          return {};
        }
        return Object.fromEntries(
          Object.entries(schema.properties)
            .filter(
              ([name, property]) =>
                prefill ||
                schema.required?.includes(name) ||
                resolve(property).example !== undefined,
            )
            .map(([name, property]) => [
              name,
              (!prefill && byName(name)) || exampleOf(property, prefill, depth + 1),
            ]),
        );
    }
  };

  /** Fields whose documented examples are prose rather than values. */
  const byName = (name: string): string | undefined => {
    if (name === 'email') {
      return `fuzz-${randomUUID().slice(0, 8)}@school.test`;
    }
    return /password$/.test(name) ? 'Fuzz-Garden-2026!' : undefined;
  };

  const stringExample = (schema: Schema): string => {
    switch (schema.format ?? '') {
      case 'email':
        return `fuzz-${randomUUID().slice(0, 8)}@school.test`;
      case 'uuid':
        return randomUUID();
      case 'date-time':
        return new Date(Date.now() + 86_400_000).toISOString();
      case 'date':
        return '2026-01-01';
      case 'uri':
      case 'url':
        return 'https://school.test/a.png';
      default: {
        const length = Math.min(Math.max(schema.minLength ?? 0, 8), schema.maxLength ?? 8);
        return 'Fuzz1234value'.slice(0, length).padEnd(length, 'x');
      }
    }
  };

  const operations = (): Operation[] =>
    Object.entries(document.paths).flatMap(([path, item]) =>
      METHODS.filter((method) => item[method]).map((method) => {
        const operation = item[method] ?? {};
        return {
          method: method.toUpperCase(),
          path,
          parameters: operation.parameters ?? [],
          body: operation.requestBody?.content?.['application/json']?.schema,
        };
      }),
    );

  const pathValue = (operation: Operation, parameter: Parameter): string => {
    const schema = resolve(parameter.schema);
    if (schema.format === 'uuid') {
      return randomUUID();
    }
    if (schema.enum?.length) {
      return String(schema.enum[0]);
    }
    // Tenants are named in the path by the Standard API and its aliases.
    if (/tenant/i.test(parameter.name) || /tenant|courses/.test(operation.path)) {
      return tenantId;
    }
    return String(exampleOf(schema));
  };

  /** Builds the URL from path values (raw, already encoded) and query pairs. */
  const urlOf = (
    operation: Operation,
    pathValues: Record<string, string>,
    query: Array<[string, string]>,
  ): string => {
    const path = operation.path.replace(/\{([^}]+)\}/g, (_match, name: string) =>
      pathValues[name] === undefined ? 'x' : pathValues[name],
    );
    const search = query.map(([name, value]) => `${encodeURIComponent(name)}=${value}`).join('&');
    return `${t.baseUrl}${path}${search ? `?${search}` : ''}`;
  };

  const safeEncode = (value: string): string =>
    encodeURIComponent(value.replace(/[\ud800-\udfff]/g, '?'));

  /** Every hostile variant of one operation, for one caller's headers. */
  const probesFor = (
    operation: Operation,
    caller: string,
    auth: Record<string, string>,
  ): Probe[] => {
    const pathParams = operation.parameters.filter((p) => p.in === 'path');
    const queryParams = operation.parameters.filter((p) => p.in === 'query');
    const basePath = Object.fromEntries(
      pathParams.map((p) => [p.name, encodeURIComponent(pathValue(operation, p))]),
    );
    const baseQuery: Array<[string, string]> = queryParams
      .filter((p) => p.required)
      .map((p) => [p.name, safeEncode(String(exampleOf(p.schema)))]);
    // Variants start from a body naming a real tenant, to get past that check; the body as
    // Swagger UI pre-fills it is sent too.
    const example = operation.body ? exampleOf(operation.body) : undefined;
    const baseBody =
      isObject(example) && 'tenant_id' in (resolve(operation.body).properties ?? {})
        ? { ...example, tenant_id: tenantId }
        : example;
    const hasBody = operation.method !== 'GET';
    const json = { 'content-type': 'application/json' };
    const probes: Probe[] = [];
    const add = (
      variant: string,
      options: {
        path?: Record<string, string>;
        query?: Array<[string, string]>;
        body?: string;
        headers?: Record<string, string>;
      } = {},
    ) => {
      const body = options.body ?? (hasBody ? JSON.stringify(baseBody ?? {}) : undefined);
      probes.push({
        label: `${caller} ${operation.method} ${operation.path} ${variant}`,
        method: operation.method,
        url: urlOf(operation, options.path ?? basePath, options.query ?? baseQuery),
        headers: { ...(body !== undefined ? json : {}), ...auth, ...options.headers },
        body,
      });
    };

    add('baseline');
    if (operation.body) {
      add('body as Swagger UI pre-fills it', {
        body: JSON.stringify(exampleOf(operation.body, true)),
      });
    }
    for (const parameter of pathParams) {
      for (const value of [...HOSTILE_URL_VALUES, LONG_PATH_PARAM]) {
        add(`path ${parameter.name}=${value.slice(0, 12)}`, {
          path: { ...basePath, [parameter.name]: value },
        });
      }
    }
    for (const parameter of queryParams) {
      const others = baseQuery.filter(([name]) => name !== parameter.name);
      for (const value of [...HOSTILE_URL_VALUES, '', '-1', '1e308', '[object Object]']) {
        add(`query ${parameter.name}=${value.slice(0, 12)}`, {
          query: [...others, [parameter.name, value]],
        });
      }
      add(`query ${parameter.name} twice`, {
        query: [...others, [parameter.name, 'a'], [parameter.name, 'b']],
      });
    }
    if (hasBody) {
      const base = isObject(baseBody) ? baseBody : {};
      const fields = Object.keys(resolve(operation.body).properties ?? {});
      for (const field of fields) {
        for (const value of [...HOSTILE_STRINGS, ...WRONG_TYPES]) {
          add(`body ${field}=${JSON.stringify(value).slice(0, 12)}`, {
            body: JSON.stringify({ ...base, [field]: value }),
          });
        }
      }
      // Well-formed ids that name nothing: 404, or 400 naming the field, never a 500.
      for (const field of fields.filter((name) => name.endsWith('_id'))) {
        const missing =
          resolve(resolve(operation.body).properties?.[field]).format === 'uuid'
            ? randomUUID()
            : 'no_such_tenant';
        add(`body ${field} naming nothing`, {
          body: JSON.stringify({ ...base, [field]: missing }),
        });
      }
      add('body key with NUL', { body: JSON.stringify({ ...base, [NUL]: 'x' }) });
      add('body nested lone surrogate', {
        body: JSON.stringify({ ...base, [fields[0] ?? 'x']: { deep: [LONE_HIGH] } }),
      });
      for (const body of ['null', '"a string"', '[]', '42', '{"a":', '']) {
        add(`body ${body || 'empty'}`, { body });
      }
      add('body 5,000 levels of arrays', { body: `${'['.repeat(5000)}${']'.repeat(5000)}` });
      add('body 5,000 levels of objects', {
        body: `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`,
      });
    }
    add('headers with hostile values we read', {
      headers: {
        // Together under Node's 16 KiB header limit, so they reach the route.
        'user-agent': LONG.slice(0, 4000),
        'x-forwarded-for': '=1+2, not-an-ip',
        'x-request-id': LONG.slice(0, 500),
        'accept-language': LONG.slice(0, 1000),
        ...(auth.authorization ? {} : { authorization: `Bearer ${LONG.slice(0, 4000)}` }),
        ...(auth['x-market-api-key'] ? {} : { 'x-api-key': 'dsk0000_'.padEnd(200, 'k') }),
      },
    });
    return probes;
  };

  const send = async (probe: Probe): Promise<Outcome> => {
    const response = await fetch(probe.url, {
      method: probe.method,
      headers: probe.headers,
      body: probe.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(15_000),
    });
    const text = await response.text();
    return judge(probe.label, response.status, text, response.headers);
  };

  /** A request written on a socket as is (bytes fetch would refuse to send). */
  const sendRaw = (label: string, head: string): Promise<Outcome> =>
    new Promise((resolvePromise) => {
      const { port } = new URL(t.baseUrl);
      const socket = net.connect(Number(port), '127.0.0.1');
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      // The server closes after answering; a reset after the answer loses nothing we read.
      socket.on('error', () => undefined);
      socket.on('close', () => {
        const raw = Buffer.concat(chunks).toString('latin1');
        const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1] ?? 0);
        resolvePromise(judge(label, status, raw.slice(raw.indexOf('\r\n\r\n') + 4)));
      });
      socket.end(Buffer.from(head, 'latin1'));
    });

  const judge = (label: string, status: number, text: string, headers?: Headers): Outcome => {
    if (status === 0 || status >= 500) {
      return { label, status, problem: `status ${status}: ${text.slice(0, 200)}` };
    }
    if (status >= 400 && isLtiRefusalPage(headers, text)) {
      return { label, status };
    }
    if (status >= 400) {
      try {
        const body = JSON.parse(text) as Record<string, unknown>;
        const keys = Object.keys(body).sort();
        if (keys.join() !== ENVELOPE_KEYS.join() || typeof body.request_id !== 'string') {
          return { label, status, problem: `not the envelope: ${text.slice(0, 200)}` };
        }
      } catch {
        return { label, status, problem: `not JSON: ${text.slice(0, 200)}` };
      }
    }
    return { label, status };
  };

  const runAll = async (probes: Probe[]): Promise<Outcome[]> => {
    const outcomes: Outcome[] = [];
    let next = 0;
    const worker = async () => {
      while (next < probes.length) {
        const probe = probes[next];
        next += 1;
        if (probe) {
          outcomes.push(
            await send(probe).catch((error: unknown) => ({
              label: probe.label,
              status: 0,
              problem: `request failed: ${String(error)}`,
            })),
          );
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    return outcomes;
  };

  /** The super admin's session may end (logout-all is an operation too): sign in again. */
  const freshAdminToken = async (): Promise<string> => {
    const me = await fetch(`${t.baseUrl}/api/v1/users/me`, { headers: bearer(adminToken) });
    await me.text();
    if (me.status !== 200) {
      adminToken = (await login(t, admin)).access_token;
    }
    return adminToken;
  };

  it('should answer every hostile variant of every operation without a 5xx, 4xx in the envelope', async () => {
    const all = operations();
    expect(all.length).toBeGreaterThan(50);
    const outcomes: Outcome[] = [];
    for (const operation of all) {
      outcomes.push(...(await runAll(probesFor(operation, 'anonymous', {}))));
      outcomes.push(
        ...(await runAll(probesFor(operation, 'market', { 'x-market-api-key': MARKET_KEY }))),
      );
      const token = await freshAdminToken();
      outcomes.push(...(await runAll(probesFor(operation, 'super-admin', bearer(token)))));
    }
    const problems = outcomes.filter((o) => o.problem).map((o) => `${o.label}: ${o.problem}`);
    expect(problems).toEqual([]);
    // Not everything stopped at the router or the hooks: the baselines reached the handlers.
    const statuses = new Set(outcomes.map((o) => o.status));
    expect([...statuses].filter((s) => s >= 200 && s < 300).length).toBeGreaterThan(0);
    expect(outcomes.length).toBeGreaterThan(all.length * 20);
  }, 180_000);

  it('should answer a 64 KiB header, a NUL in a header and a broken request line in the envelope', async () => {
    const outcomes: Outcome[] = [];
    for (const operation of operations()) {
      const path = operation.path.replace(/\{[^}]+\}/g, 'x');
      outcomes.push(
        await sendRaw(
          `${operation.method} ${operation.path} 64 KiB header`,
          `${operation.method} ${path} HTTP/1.1\r\nhost: x\r\nx-big: ${HEADER_64K}\r\n\r\n`,
        ),
      );
    }
    outcomes.push(
      await sendRaw(
        'NUL in a header',
        `GET /api/v1/status HTTP/1.1\r\nhost: x\r\nx-a: a\u0000b\r\n\r\n`,
      ),
      await sendRaw('broken request line', `GET /api/v1/status HTTP/9\r\n\r\n`),
    );
    expect(outcomes.filter((o) => o.problem)).toEqual([]);
    expect(new Set(outcomes.slice(0, -2).map((o) => o.status))).toEqual(new Set([431]));
    expect(outcomes.slice(-2).map((o) => o.status)).toEqual([400, 400]);
  });
});

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
