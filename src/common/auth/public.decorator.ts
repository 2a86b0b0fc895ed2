import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';

export const IS_PUBLIC_KEY = 'auth:isPublic';
/** Marks public operations in the OpenAPI document (setup-swagger.ts turns it into `security: []`). */
export const PUBLIC_EXTENSION = 'x-public';

/** Marks a route as reachable without credentials; every other route requires them. */
export const Public = (): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(IS_PUBLIC_KEY, true), ApiExtension(PUBLIC_EXTENSION, true));
