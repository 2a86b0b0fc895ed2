import type { LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { OpenAPIObject } from '@nestjs/swagger';
import { AppModule } from '../app.module.js';
import { createRootLogger } from '../common/observability/root-logger.js';
import { buildOpenApiDocument } from '../common/swagger/setup-swagger.js';
import { validateEnv } from '../config/env.schema.js';
import { configureRouting } from './routing.js';

export interface GeneratedOpenApi {
  document: OpenAPIObject;
  /** What Nest and @nestjs/swagger warned about while building it (e.g. a duplicate DTO name). */
  warnings: string[];
}

/** Nest's own notice that providers are not instantiated in preview mode. */
const PREVIEW_BANNER = /PREVIEW mode|will not be instantiated|^-+$/;

class WarningCollector implements LoggerService {
  readonly warnings: string[] = [];
  log(): void {}
  warn(message: unknown): void {
    const text = String(message);
    if (!PREVIEW_BANNER.test(text)) {
      this.warnings.push(text);
    }
  }
  error(message: unknown): void {
    this.warnings.push(String(message));
  }
}

/**
 * The OpenAPI document of the whole app, built without a database or a listening server
 * (Nest's preview mode registers routes without instantiating providers). The environment is
 * fixed rather than read, so the document is the same on every machine: no route or schema
 * depends on configuration (disabled providers document their 404 instead of disappearing).
 */
export async function generateOpenApiDocument(): Promise<GeneratedOpenApi> {
  const env = validateEnv({ NODE_ENV: 'development', LOG_LEVEL: 'silent' });
  const collector = new WarningCollector();
  const app = await NestFactory.create(
    AppModule.forRoot({ env, logger: createRootLogger(env) }),
    new FastifyAdapter(),
    { preview: true, logger: collector, abortOnError: false, bodyParser: false },
  );
  try {
    configureRouting(app);
    return { document: buildOpenApiDocument(app), warnings: collector.warnings };
  } finally {
    await app.close();
  }
}

/** JSON with every object's keys sorted, two-space indented, one trailing newline. */
export function canonicalJson(value: unknown): string {
  return `${JSON.stringify(sortKeys(value), null, 2)}\n`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(sortKeys);
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}
