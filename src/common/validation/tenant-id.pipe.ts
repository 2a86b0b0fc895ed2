import { Injectable, type PipeTransform } from '@nestjs/common';
import { AppException } from '../errors/app.exception.js';

export const TENANT_ID = /^[a-z0-9][a-z0-9_-]{1,62}$/;

function checkedTenantId(value: unknown): string {
  if (typeof value !== 'string' || !TENANT_ID.test(value)) {
    throw new AppException('COMMON_VALIDATION_FAILED', undefined, {
      fields: [{ field: 'tenant_id', errors: ['tenant_id must be a tenant id'] }],
    });
  }
  return value;
}

/** An optional `tenant_id` query parameter: absent, or a well-formed tenant id (else 400). */
@Injectable()
export class TenantIdPipe implements PipeTransform<unknown, string | undefined> {
  transform(value: unknown): string | undefined {
    return value === undefined ? undefined : checkedTenantId(value);
  }
}

/** A tenant id in the path (`/mt/tenant/{id}/...`): well-formed, else 400. */
@Injectable()
export class TenantPathPipe implements PipeTransform<unknown, string> {
  transform(value: unknown): string {
    return checkedTenantId(value);
  }
}
