import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from '@jest/globals';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type * as SetupSwaggerModule from '../../src/common/swagger/setup-swagger.js';
import { loadCompiled } from './compiled.js';

/**
 * Every error answer the e2e suite sees, as (method, route template, error_code), with the codes
 * the app's OpenAPI document gives that route. test/setup/error-docs-check.mjs reads these files
 * after the run and fails when a route answered with a code its document does not list.
 */

export interface SeenErrorLog {
  /** `GET /api/v1/classes/{id}` → the codes seen answering it. */
  seen: Record<string, string[]>;
  /** The same keys → the codes the OpenAPI document lists, null for a route it does not show. */
  documented: Record<string, string[] | null>;
}

const { buildOpenApiDocument } = await loadCompiled<typeof SetupSwaggerModule>(
  'src/common/swagger/setup-swagger.ts',
);

export function errorLogDirectory(): string {
  return path.join(tmpdir(), `dreamseed-error-log-${process.env.DREAMSEED_TEST_RUN_ID ?? 'local'}`);
}

/** Fastify's `/a/:id` as the OpenAPI document writes it, `/a/{id}`. */
function openApiPath(route: string): string {
  return route.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

export function recordErrorResponses(app: NestFastifyApplication): { flush(): void } {
  const seen = new Map<string, Set<string>>();
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onSend', (request, reply, payload, done) => {
      const route = request.routeOptions.url;
      if (reply.statusCode >= 400 && route && typeof payload === 'string') {
        const code = errorCodeOf(payload);
        if (code) {
          const key = `${request.method} ${openApiPath(route)}`;
          seen.set(key, (seen.get(key) ?? new Set()).add(code));
        }
      }
      done(null, payload);
    });
  return {
    flush() {
      if (seen.size === 0) {
        return;
      }
      const log: SeenErrorLog = {
        seen: Object.fromEntries([...seen].map(([key, codes]) => [key, [...codes]])),
        documented: documentedCodes(app, [...seen.keys()]),
      };
      const directory = errorLogDirectory();
      mkdirSync(directory, { recursive: true });
      const testFile = path.basename(expect.getState().testPath ?? 'unknown');
      writeFileSync(
        path.join(directory, `${testFile}.${randomBytes(4).toString('hex')}.json`),
        JSON.stringify(log),
      );
    },
  };
}

function errorCodeOf(payload: string): string | undefined {
  try {
    const body = JSON.parse(payload) as { error_code?: unknown };
    return typeof body.error_code === 'string' ? body.error_code : undefined;
  } catch {
    return undefined;
  }
}

interface DocumentedOperation {
  responses?: Record<string, { content?: Record<string, { examples?: Record<string, unknown> }> }>;
}

/** The codes of each operation: the example keys of its error responses. */
function documentedCodes(
  app: NestFastifyApplication,
  keys: string[],
): Record<string, string[] | null> {
  const document = buildOpenApiDocument(app);
  return Object.fromEntries(
    keys.map((key) => {
      const [method = '', route = ''] = key.split(' ');
      const operation = (
        document.paths[route] as Record<string, DocumentedOperation> | undefined
      )?.[method.toLowerCase()];
      const codes = Object.values(operation?.responses ?? {}).flatMap((response) =>
        Object.keys(response.content?.['application/json']?.examples ?? {}),
      );
      return [key, operation ? codes : null];
    }),
  );
}
