import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import type { Observable } from 'rxjs';
import { AUDIT_METADATA, type AuditRouteOptions } from './audited.decorator.js';

/**
 * Attaches the route's audit description to the request; the onResponse hook (see
 * bootstrap/http-hooks.ts) writes the record once the final status code is known, so
 * failures raised by guards, pipes and handlers are all audited the same way.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const declared = this.reflector.get<AuditRouteOptions | undefined>(
      AUDIT_METADATA,
      context.getHandler(),
    );
    if (declared) {
      context.switchToHttp().getRequest<FastifyRequest>().auditRoute = declared;
    }
    return next.handle();
  }
}
