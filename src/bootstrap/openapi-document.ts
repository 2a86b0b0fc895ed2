import type { INestApplication, LoggerService } from '@nestjs/common';
import { ModulesContainer, NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { AppModule } from '../app.module.js';
import { createRootLogger } from '../common/observability/root-logger.js';
import { buildOpenApiDocument } from '../common/swagger/setup-swagger.js';
import { validateEnv } from '../config/env.schema.js';
import { configureRouting } from './routing.js';

export interface GeneratedOpenApi {
  document: OpenAPIObject;
  /** What Nest and @nestjs/swagger warned about while building it (e.g. a duplicate DTO name). */
  warnings: string[];
  /** Each documented path and the modules whose controllers serve it (`UserAdminModule`: `user-admin`). */
  modulesByPath: Record<string, string[]>;
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
    const document = buildOpenApiDocument(app);
    const modulesByPath = documentedModules(app);
    return { document, warnings: [...new Set(collector.warnings)], modulesByPath };
  } finally {
    await app.close();
  }
}

function documentedModules(app: INestApplication): Record<string, string[]> {
  const modulesByPath: Record<string, string[]> = {};
  for (const module of app.get(ModulesContainer).values()) {
    if (module.controllers.size === 0) {
      continue;
    }
    const name = module.metatype.name
      .replace(/Module$/, '')
      .replace(/(?<=[a-z0-9])([A-Z])/g, '-$1')
      .toLowerCase();
    const paths = SwaggerModule.createDocument(app, new DocumentBuilder().build(), {
      include: [module.metatype],
    }).paths;
    for (const path of Object.keys(paths)) {
      (modulesByPath[path] ??= []).push(name);
    }
  }
  return modulesByPath;
}

/**
 * JSON with every object's keys sorted and every `enum` list sorted, two-space indented, one
 * trailing newline. The swagger plugin lists a union's members in the order TypeScript created
 * their types, which differs between two builds of the same code (`nest build` and the test build).
 */
export function canonicalJson(value: unknown): string {
  return `${JSON.stringify(sortKeys(value), null, 2)}\n`;
}

function sortKeys(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) {
    const items = value.map((item) => sortKeys(item));
    return key === 'enum'
      ? items.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))
      : items;
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((name) => [name, sortKeys((value as Record<string, unknown>)[name], name)]),
    );
  }
  return value;
}
