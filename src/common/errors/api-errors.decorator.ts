import { PATH_METADATA } from '@nestjs/common/constants.js';
import type { AppErrorCode } from './error-codes.js';

export const API_ERRORS_KEY = 'app:apiErrors';
/** Carries a route's codes into its OpenAPI operation; setup-swagger.ts turns it into responses. */
export const ERROR_CODES_EXTENSION = 'x-error-codes';
// @nestjs/swagger's metadata key for `x-` extensions. Its own ApiExtension() keeps the first
// value of a key, so later calls could not add codes.
const SWAGGER_EXTENSIONS_KEY = 'swagger/apiExtension';

type Handler = (...args: unknown[]) => unknown;

/**
 * The error codes a route can answer with, for its OpenAPI document: one response per status,
 * whose description lists the codes and which has one example envelope per code. Calls on a
 * route and on its controller add up (a controller's codes go to each of its routes).
 */
export function ApiErrors(...codes: AppErrorCode[]): MethodDecorator & ClassDecorator {
  return (target: object, _key?: string | symbol, descriptor?: PropertyDescriptor): void => {
    if (descriptor) {
      addCodes(descriptor.value as Handler, codes);
      return;
    }
    Reflect.defineMetadata(API_ERRORS_KEY, union(documentedErrorCodes(target), codes), target);
    // Class decorators run after the method decorators, so the routes are known by now.
    for (const handler of routeHandlers(target as { prototype: object })) {
      addCodes(handler, codes);
    }
  };
}

/** The codes documented for a route handler (or a controller), in the order they were added. */
export function documentedErrorCodes(holder: object): AppErrorCode[] {
  return (Reflect.getMetadata(API_ERRORS_KEY, holder) as AppErrorCode[] | undefined) ?? [];
}

function union(previous: AppErrorCode[], codes: AppErrorCode[]): AppErrorCode[] {
  return [...new Set([...previous, ...codes])];
}

function addCodes(holder: Handler, codes: AppErrorCode[]): void {
  const merged = union(documentedErrorCodes(holder), codes);
  Reflect.defineMetadata(API_ERRORS_KEY, merged, holder);
  const extensions =
    (Reflect.getMetadata(SWAGGER_EXTENSIONS_KEY, holder) as Record<string, unknown> | undefined) ??
    {};
  Reflect.defineMetadata(
    SWAGGER_EXTENSIONS_KEY,
    { ...extensions, [ERROR_CODES_EXTENSION]: merged },
    holder,
  );
}

function routeHandlers(controller: { prototype: object }): Handler[] {
  return Object.getOwnPropertyNames(controller.prototype)
    .filter((name) => name !== 'constructor')
    .map((name) => Object.getOwnPropertyDescriptor(controller.prototype, name)?.value as unknown)
    .filter(
      (value): value is Handler =>
        typeof value === 'function' && Reflect.hasMetadata(PATH_METADATA, value),
    );
}
