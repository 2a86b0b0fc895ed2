import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AppException } from '../errors/app.exception.js';
import type { UserPrincipal } from './principal.js';

/** The signed-in user of a protected route (the access guard has already refused anyone else). */
export const CurrentUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext): UserPrincipal => {
    const principal = context.switchToHttp().getRequest<FastifyRequest>().principal;
    if (principal?.kind !== 'user') {
      throw new AppException('COMMON_UNAUTHORIZED');
    }
    return principal;
  },
);
