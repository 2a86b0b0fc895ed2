import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AppException } from '../errors/app.exception.js';
import type { Principal } from './principal.js';

/** The caller of a protected route: a signed-in user or an API key. */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Principal => {
    const principal = context.switchToHttp().getRequest<FastifyRequest>().principal;
    if (!principal) {
      throw new AppException('COMMON_UNAUTHORIZED');
    }
    return principal;
  },
);
