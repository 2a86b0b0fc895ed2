import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { requestContext } from '../observability/request-context.js';
import type { AuditTarget } from './audit-target.js';
import {
  AUDIT_METADATA,
  NOT_AUDITED_METADATA,
  type AuditRouteOptions,
} from './audited.decorator.js';

/**
 * Attaches the route's audit description to the request and always lets it through. It is a
 * guard, registered before the others, so requests refused by a later guard are named too;
 * the onResponse hook (bootstrap/http-hooks.ts) writes the record once the final status is
 * known. (An interceptor would also put RxJS on every route's path: measured, a tenth of a
 * cheap request.)
 */
@Injectable()
export class AuditContextGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (this.reflector.get<boolean | undefined>(NOT_AUDITED_METADATA, context.getHandler())) {
      context.switchToHttp().getRequest<FastifyRequest>().auditSkipped = true;
      return true;
    }
    const declared = this.reflector.get<AuditRouteOptions | undefined>(
      AUDIT_METADATA,
      context.getHandler(),
    );
    if (declared) {
      const request = context.switchToHttp().getRequest<FastifyRequest>();
      const target: AuditTarget = {};
      request.auditRoute = declared;
      request.auditTarget = target;
      // The same object, so what the route's code notes reaches the onResponse hook.
      const store = requestContext.getStore();
      if (store) {
        store.auditTarget = target;
      }
    }
    return true;
  }
}
