import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type * as ErrorCodesModule from '../../src/common/errors/error-codes.js';
import { loadCompiled } from '../support/compiled.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const { registeredErrorCodes } = await loadCompiled<typeof ErrorCodesModule>(
  'src/common/errors/error-codes.ts',
);

interface UndocumentedCodes {
  DOCUMENTED_BY_ACCESS_POLICY: { codes: string[] };
  FRAMEWORK_ONLY: { codes: Record<string, string> };
  IN_GOOGLE_REDIRECT: { operation: string; codes: string[] };
}

const undocumented = JSON.parse(
  readFileSync(path.resolve(import.meta.dirname, '../setup/undocumented-error-codes.json'), 'utf8'),
) as UndocumentedCodes;
/** Codes no route raises itself, so no operation documents them (each with its reason). */
const FRAMEWORK_ONLY = undocumented.FRAMEWORK_ONLY.codes;
/** Documented by the routes' access declarations once they land (emptied then). */
const DOCUMENTED_BY_ACCESS_POLICY = undocumented.DOCUMENTED_BY_ACCESS_POLICY.codes;
/** Sent in a redirect's query, so its operation's description names them instead. */
const IN_GOOGLE_REDIRECT = undocumented.IN_GOOGLE_REDIRECT;

interface Example {
  value: { error_code: string; message: string; details: unknown; request_id: string };
}

interface Response {
  description?: string;
  content?: Record<string, { schema?: { $ref?: string }; examples?: Record<string, Example> }>;
}

type Document = {
  paths: Record<string, Record<string, { responses: Record<string, Response> }>>;
};

describe('error codes', () => {
  let t: TestApp;
  let document: Document;

  beforeAll(async () => {
    t = await startTestApp();
    document = (await (await fetch(`${t.baseUrl}/docs-json`)).json()) as Document;
  });

  afterAll(async () => {
    await t.close();
  });

  const errorResponses = () =>
    Object.entries(document.paths).flatMap(([route, item]) =>
      Object.entries(item).flatMap(([method, operation]) =>
        Object.entries(operation.responses)
          .filter(([status]) => Number(status) >= 400)
          .map(([status, response]) => ({ operation: `${method} ${route}`, status, response })),
      ),
    );

  it('should give every registered code an error status and a message', () => {
    const codes = [...registeredErrorCodes()];
    expect(codes.length).toBeGreaterThan(60);
    for (const [code, definition] of codes) {
      const status = Number(definition.status);
      expect({ code, status: status >= 400 && status < 600 }).toEqual({
        code,
        status: true,
      });
      expect({ code, message: definition.message.trim().length > 0 }).toEqual({
        code,
        message: true,
      });
    }
  });

  it('should document every code on at least one route', () => {
    const documented = new Set(
      errorResponses().flatMap(({ response }) =>
        Object.keys(response.content?.['application/json']?.examples ?? {}),
      ),
    );
    const undocumented = [...registeredErrorCodes().keys()].filter(
      (code) =>
        !documented.has(code) &&
        !(code in FRAMEWORK_ONLY) &&
        !DOCUMENTED_BY_ACCESS_POLICY.includes(code) &&
        !IN_GOOGLE_REDIRECT.codes.includes(code),
    );
    expect(undocumented).toEqual([]);
    const [method = '', route = ''] = IN_GOOGLE_REDIRECT.operation.split(' ');
    const redirect = document.paths[route]?.[method.toLowerCase()] as
      { description?: string } | undefined;
    expect(
      IN_GOOGLE_REDIRECT.codes.filter((code) => !redirect?.description?.includes(code)),
    ).toEqual([]);
    // The allow-list stays honest: a code some route documents does not belong in it.
    expect(Object.keys(FRAMEWORK_ONLY).filter((code) => documented.has(code))).toEqual([]);
  });

  it('should give each documented code an example envelope under the status it is sent with', () => {
    const wrong: string[] = [];
    for (const { operation, status, response } of errorResponses()) {
      const content = response.content?.['application/json'];
      for (const [code, example] of Object.entries(content?.examples ?? {})) {
        const definition = registeredErrorCodes().get(code);
        if (
          String(definition?.status) !== status ||
          example.value.error_code !== code ||
          example.value.message !== definition?.message ||
          !response.description?.includes(`\`${code}\``)
        ) {
          wrong.push(`${operation} ${status} ${code}`);
        }
      }
      expect(content?.schema?.$ref).toBe('#/components/schemas/ErrorEnvelope');
    }
    expect(wrong).toEqual([]);
  });

  it('should document 423 on login, 409s on POST /users and 404 on the id routes', () => {
    const codesOf = (method: string, route: string, status: string) =>
      Object.keys(
        document.paths[route]?.[method]?.responses[status]?.content?.['application/json']
          ?.examples ?? {},
      );
    expect(codesOf('post', '/api/v1/auth/login', '423')).toEqual(['AUTH_ACCOUNT_LOCKED']);
    expect(codesOf('post', '/api/v1/users', '409')).toEqual(
      expect.arrayContaining([
        'USER_ALREADY_MEMBER',
        'USER_USERNAME_TAKEN',
        'TENANT_USER_LIMIT_REACHED',
      ]),
    );
    const idRoutes = Object.entries(document.paths).flatMap(([route, item]) =>
      /\/\{(id|userId)\}/.test(route) ? Object.keys(item).map((method) => ({ method, route })) : [],
    );
    expect(idRoutes.length).toBeGreaterThan(10);
    expect(
      idRoutes.filter(({ method, route }) => codesOf(method, route, '404').length === 0),
    ).toEqual([]);
  });

  it('should document 400 COMMON_VALIDATION_FAILED only where input is validated', () => {
    const validated = (method: string, route: string) => {
      const operation = document.paths[route]?.[method] as
        { requestBody?: unknown; parameters?: Array<{ in: string }> } | undefined;
      return Boolean(operation?.requestBody) || (operation?.parameters ?? []).length > 0;
    };
    for (const [route, item] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const codes = Object.keys(
          operation.responses['400']?.content?.['application/json']?.examples ?? {},
        );
        expect({
          operation: `${method} ${route}`,
          documented: codes.includes('COMMON_VALIDATION_FAILED'),
        }).toEqual({
          operation: `${method} ${route}`,
          documented: validated(method, route),
        });
      }
    }
    const example =
      document.paths['/api/v1/classes']?.post?.responses['400']?.content?.['application/json']
        ?.examples?.COMMON_VALIDATION_FAILED?.value;
    expect(example?.details).toEqual({
      fields: [{ field: 'name', errors: ['name should not be empty'] }],
    });
  });
});
