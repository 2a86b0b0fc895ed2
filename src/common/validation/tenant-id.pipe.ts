import { Injectable, type PipeTransform } from '@nestjs/common';
import { AppException } from '../errors/app.exception.js';

const TENANT_ID = /^[a-z0-9][a-z0-9_-]{1,62}$/;

/** An optional `tenant_id` query parameter: absent, or a well-formed tenant id (else 400). */
@Injectable()
export class TenantIdPipe implements PipeTransform<unknown, string | undefined> {
  transform(value: unknown): string | undefined {
    if (value === undefined) {
      return undefined;
    }
    if (typeof value !== 'string' || !TENANT_ID.test(value)) {
      throw new AppException('COMMON_VALIDATION_FAILED', undefined, {
        fields: [{ field: 'tenant_id', errors: ['tenant_id must be a tenant id'] }],
      });
    }
    return value;
  }
}
