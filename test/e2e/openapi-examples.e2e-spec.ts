import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, createUser, login, type TestUser } from '../factories/accounts.js';
import { market, MARKET_KEY, marketEnv } from '../factories/market.js';
import {
  bodyFromProperties,
  operationsOf,
  resolveSchema,
  withFormats,
  type OpenApiDocument,
  type Operation,
  type Parameter,
} from '../support/openapi-examples.js';
import { query } from '../support/database-client.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Every request Swagger UI's "Try it out" pre-fills from the documented examples, sent as is to
 * the real app by a caller the route lets in: none may fail validation. Other refusals are
 * fine: the examples name ids that exist nowhere (404), tokens nobody was mailed (401/400 with
 * the module's code), accounts that already exist (409): an admin replaces those values, the
 * shape and format must be right as shown.
 */

/** The example school: examples name it, so it exists here (else the id is refused as unknown). */
const EXAMPLE_TENANT = 'hallym_univ';

/** Checked against the clock, so any fixed example date expires: sent as "now" in the same form. */
const CLOCK_FIELDS: Record<string, () => string> = {
  occurred_at: () => new Date().toISOString(),
  expires_at: () => new Date(Date.now() + 30 * 86_400_000).toISOString(),
};

/** Values Swagger UI makes up by itself for a format (valid ones). */
const FORMATS: Record<string, () => string> = {
  uuid: () => randomUUID(),
  email: () => `swagger-${randomUUID().slice(0, 8)}@school.test`,
  'date-time': () => new Date().toISOString(),
  uri: () => 'https://cdn.hallym.ac.kr/logo.png',
};

interface ExampleRequest {
  label: string;
  method: string;
  path: string;
  operation: Operation;
  url: string;
  body?: unknown;
  /** The example is written for super admins (its summary says so). */
  forSuperAdmins?: boolean;
}

/** Who sends a request, and the headers that say so. */
type Caller = [string, () => Promise<Record<string, string>>];

interface Answer {
  label: string;
  caller: string;
  status: number;
  body: { error_code?: string; details?: unknown } | null;
}

describe('the documented request examples', () => {
  let t: TestApp;
  let document: OpenApiDocument;
  let superAdmin: TestUser;
  let schoolAdmin: TestUser;
  let student: TestUser;

  beforeAll(async () => {
    t = await startTestApp({ env: { ...marketEnv } });
    document = (await (await fetch(`${t.baseUrl}/docs-json`)).json()) as OpenApiDocument;
    const activated = await market(t, 'POST', `/mt/tenant/${EXAMPLE_TENANT}/activate`, {
      name: 'Hallym University',
    });
    expect(activated.status).toBe(201);
    superAdmin = await createUser(t, { superAdmin: true });
    schoolAdmin = await createUser(t, { tenant: EXAMPLE_TENANT, role: 'admin' });
    student = await createUser(t, { tenant: EXAMPLE_TENANT, role: 'student' });
    // The student holds a seat, so routes for licensed content let them in.
    await query(
      t.databaseUrl,
      `WITH license AS (
         INSERT INTO school_licenses (tenant_id, total_seats, used_seats, starts_at, expires_at)
         VALUES ($1, 5, 1, now() - interval '1 day', now() + interval '1 year') RETURNING id)
       INSERT INTO license_seats (license_id, user_id, assigned_at, how)
       SELECT id, $2, now(), 'admin' FROM license`,
      [EXAMPLE_TENANT, student.id],
    );
  });

  afterAll(async () => {
    await t.close();
  });

  const shiftClockFields = (value: unknown): unknown => {
    if (Array.isArray(value)) {
      return value.map(shiftClockFields);
    }
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value).map(([name, part]) => [
          name,
          name in CLOCK_FIELDS && typeof part === 'string'
            ? (CLOCK_FIELDS[name]?.() ?? part)
            : shiftClockFields(part),
        ]),
      );
    }
    return value;
  };

  const parameterValue = (parameter: Parameter): string | undefined => {
    const schema = resolveSchema(document, parameter.schema);
    const example = parameter.example ?? schema.example;
    if (example !== undefined) {
      return typeof example === 'string' ? example : JSON.stringify(example);
    }
    if (parameter.in !== 'path') {
      return undefined;
    }
    // Ids are not exemplified (there is no id worth showing): Swagger UI asks for one.
    return schema.enum?.length ? String(schema.enum[0]) : randomUUID();
  };

  const requestsOf = (method: string, path: string, operation: Operation): ExampleRequest[] => {
    const parameters = operation.parameters ?? [];
    const url = new URL(
      path.replace(/\{([^}]+)\}/g, (_match, name: string) => {
        const parameter = parameters.find((p) => p.in === 'path' && p.name === name);
        return encodeURIComponent(parameter ? (parameterValue(parameter) ?? '') : '');
      }),
      t.baseUrl,
    );
    for (const parameter of parameters.filter((p) => p.in === 'query')) {
      const value = parameterValue(parameter);
      if (value !== undefined) {
        url.searchParams.set(parameter.name, value);
      }
    }
    const label = `${method} ${path}`;
    const media = operation.requestBody?.content?.['application/json'];
    if (!media) {
      return [{ label, method, path, operation, url: url.href }];
    }
    const bodies = media.examples
      ? Object.entries(media.examples).map(
          ([name, example]) => [name, example.value, example.summary] as const,
        )
      : [
          [
            'from its properties',
            withFormats(
              document,
              bodyFromProperties(document, media.schema).value,
              media.schema,
              FORMATS,
            ),
            undefined,
          ] as const,
        ];
    return bodies.map(([name, body, summary]) => ({
      forSuperAdmins: summary?.startsWith('Super admins') === true,
      label: `${label} (${name})`,
      method,
      path,
      operation,
      url: url.href,
      body: shiftClockFields(body),
    }));
  };

  /**
   * A caller the route lets in: the market key, nobody, or the first of a school admin, a super
   * admin and a student not refused (403); examples written for super admins are sent by one.
   */
  const callersFor = (request: ExampleRequest): Caller[] => {
    const schemes = (request.operation.security ?? []).flatMap((requirement) =>
      Object.keys(requirement),
    );
    if (schemes.includes('market-api-key')) {
      return [['market', () => Promise.resolve({ 'x-market-api-key': MARKET_KEY })]];
    }
    if (schemes.length === 0) {
      return [['anonymous', () => Promise.resolve({})]];
    }
    // A session of its own for every request: an example may sign out.
    const asSuperAdmin: Caller = [
      'super admin',
      async () => bearer((await login(t, superAdmin)).access_token),
    ];
    const asSchoolAdmin: Caller = [
      'school admin',
      async () => bearer((await login(t, schoolAdmin, { tenant_id: EXAMPLE_TENANT })).access_token),
    ];
    const asStudent: Caller = [
      'student',
      async () => bearer((await login(t, student, { tenant_id: EXAMPLE_TENANT })).access_token),
    ];
    return request.forSuperAdmins ? [asSuperAdmin] : [asSchoolAdmin, asSuperAdmin, asStudent];
  };

  const send = async (request: ExampleRequest): Promise<Answer> => {
    let answer: Answer | undefined;
    for (const [caller, headersOf] of callersFor(request)) {
      const hasBody = request.body !== undefined;
      const response = await fetch(request.url, {
        method: request.method,
        headers: {
          ...(hasBody ? { 'content-type': 'application/json' } : {}),
          ...(await headersOf()),
        },
        body: hasBody ? JSON.stringify(request.body) : undefined,
        redirect: 'manual',
      });
      const text = await response.text();
      answer = {
        label: request.label,
        caller,
        status: response.status,
        body: text.startsWith('{') ? (JSON.parse(text) as Answer['body']) : null,
      };
      if (response.status !== 403) {
        break;
      }
    }
    if (!answer) {
      throw new Error(`no caller for ${request.label}`);
    }
    return answer;
  };

  it('should leave no string or number of a request body for Swagger UI to make up', () => {
    const madeUp = operationsOf(document).flatMap(({ method, path, operation }) => {
      const media = operation.requestBody?.content?.['application/json'];
      if (!media || media.examples) {
        return [];
      }
      return bodyFromProperties(document, media.schema).madeUp.map(
        (field) => `${method} ${path}: ${field}`,
      );
    });
    expect(madeUp).toEqual([]);
  });

  it('should name only properties of the schema in whole-body examples', () => {
    const unknown = operationsOf(document).flatMap(({ method, path, operation }) => {
      const media = operation.requestBody?.content?.['application/json'];
      const properties = Object.keys(resolveSchema(document, media?.schema).properties ?? {});
      return Object.entries(media?.examples ?? {}).flatMap(([name, example]) =>
        Object.keys(example.value as object)
          .filter((key) => !properties.includes(key))
          .map((key) => `${method} ${path} (${name}): ${key}`),
      );
    });
    expect(unknown).toEqual([]);
  });

  /**
   * Changing the callers' password, then deactivating the example school, would refuse the
   * sign-ins of the requests after them.
   */
  const lastOnes = (request: ExampleRequest): number =>
    request.path === '/api/v1/users/me/password' ? 1 : request.path.endsWith('/deactivate') ? 2 : 0;

  it('should pass validation as sent, every example request and its parameters', async () => {
    const requests = operationsOf(document)
      .flatMap(({ method, path, operation }) => requestsOf(method, path, operation))
      .sort((a, b) => lastOnes(a) - lastOnes(b));
    expect(requests.length).toBeGreaterThan(60);
    const answers: Answer[] = [];
    for (const request of requests) {
      answers.push(await send(request));
    }
    const refused = answers.filter(
      (answer) => answer.status === 400 && answer.body?.error_code === 'COMMON_VALIDATION_FAILED',
    );
    expect(refused).toEqual([]);
    // Each signed-in request got past the access checks, so validation really ran (on public
    // routes a 401 or 403 is the answer to the example's made-up account or token).
    expect(
      answers.filter(
        (answer) => answer.caller !== 'anonymous' && [401, 403].includes(answer.status),
      ),
    ).toEqual([]);
  }, 180_000);
});
