import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { UserPrincipal } from '../../common/auth/principal.js';
import { assertTenantScope } from '../../common/auth/tenant-access.js';
import { Clock } from '../../common/clock/clock.js';
import {
  isForeignKeyViolation,
  isUniqueViolation,
  unknownReference,
} from '../../common/database/sql.js';
import { AppException } from '../../common/errors/app.exception.js';
import { ApiKeysRepository } from './api-keys.repository.js';
import {
  mapApiKey,
  type ApiKeyDto,
  type CreateApiKeyDto,
  type CreatedApiKeyDto,
} from './dto/api-key.dto.js';

export const API_KEY_FORMAT = /^(dsk[0-9a-f]{8})_([A-Za-z0-9_-]{43})$/;

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** Managing keys: tenant admins for their tenant, super admins for any tenant or the platform. */
@Injectable()
export class ApiKeysService {
  constructor(
    private readonly keys: ApiKeysRepository,
    private readonly clock: Clock,
  ) {}

  /** `tenantId` undefined: a platform key (platform-wide callers naming no tenant). */
  async create(
    principal: UserPrincipal,
    scope: string | undefined,
    dto: Omit<CreateApiKeyDto, 'tenant_id'>,
  ): Promise<CreatedApiKeyDto> {
    assertTenantScope(principal, scope);
    const tenantId = scope ?? null;
    const expiresAt = dto.expires_at ? new Date(dto.expires_at) : null;
    if (expiresAt && expiresAt <= this.clock.now()) {
      throw new AppException('COMMON_VALIDATION_FAILED', undefined, {
        fields: [{ field: 'expires_at', errors: ['expires_at must be in the future'] }],
      });
    }
    for (let attempt = 0; ; attempt += 1) {
      const prefix = `dsk${randomBytes(4).toString('hex')}`;
      const key = `${prefix}_${randomBytes(32).toString('base64url')}`;
      try {
        const record = await this.keys.insert({
          tenantId,
          name: dto.name,
          prefix,
          keyHash: hashApiKey(key),
          scopes: dto.scopes,
          createdBy: principal.userId,
          expiresAt,
        });
        return { ...mapApiKey(record), key };
      } catch (error) {
        // A 32-bit prefix collides rarely; a fresh one fixes it.
        if (attempt < 3 && isUniqueViolation(error, 'uq_api_keys_prefix')) {
          continue;
        }
        if (isForeignKeyViolation(error, 'fk_api_keys_tenant')) {
          throw unknownReference('tenant_id', 'tenant');
        }
        throw error;
      }
    }
  }

  async list(principal: UserPrincipal, tenantId: string | undefined): Promise<ApiKeyDto[]> {
    assertTenantScope(principal, tenantId);
    return (await this.keys.list(tenantId)).map(mapApiKey);
  }

  async revoke(principal: UserPrincipal, tenantId: string | undefined, id: string): Promise<void> {
    assertTenantScope(principal, tenantId);
    const record = await this.keys.find(id);
    // Another tenant's key is as absent as a missing one.
    if (!record || (tenantId !== undefined && record.tenant_id !== tenantId)) {
      throw new AppException('API_KEY_NOT_FOUND');
    }
    await this.keys.revoke(id, this.clock.now());
  }
}
