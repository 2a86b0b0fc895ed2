import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { noteAuditTarget } from '../../../common/audit/audit-target.js';
import type { UserPrincipal } from '../../../common/auth/principal.js';
import { CacheInvalidation } from '../../../common/cache/cache-invalidation.service.js';
import { Clock } from '../../../common/clock/clock.js';
import { AppException } from '../../../common/errors/app.exception.js';
import { MembershipsRepository } from '../../users/memberships.repository.js';
import { LtiLaunchRepository } from '../launch/lti-launch.repository.js';
import { sha256 } from '../launch/lti-login.service.js';

export interface LinkedIdentity {
  issuer: string;
  tenant_id: string | null;
}

/**
 * Moves an LMS identity to the account its person signs in to themselves: the proof is the
 * one-time code their launch handed them, and their own sign-in. An LMS address never links
 * an account by itself.
 */
@Injectable()
export class IdentityLink {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly launches: LtiLaunchRepository,
    private readonly memberships: MembershipsRepository,
    private readonly invalidation: CacheInvalidation,
    private readonly clock: Clock,
  ) {}

  async link(principal: UserPrincipal, code: string): Promise<LinkedIdentity> {
    return this.dataSource.transaction(async (manager) => {
      const identity = await this.launches.linkable(manager, sha256(code), this.clock.now());
      if (!identity) {
        throw new AppException('LTI_LINK_CODE_INVALID');
      }
      const platform = identity.platform_id
        ? await this.launches.platform(identity.platform_id)
        : undefined;
      const tenantId = platform?.tenantId ?? null;
      if (identity.user_id !== principal.userId) {
        // The school of the LMS gets the account, with the role the LMS gave.
        const role = tenantId
          ? (await this.memberships.listForUser(identity.user_id, manager)).find(
              (m) => m.tenantId === tenantId,
            )?.role
          : undefined;
        await this.launches.moveIdentity(manager, identity.id, principal.userId);
        if (tenantId && role) {
          await this.memberships.insertIfAbsent(manager, principal.userId, tenantId, role);
        }
        this.invalidation.changed(manager, 'user', [principal.userId]);
      }
      noteAuditTarget({ resourceId: identity.id, ...(tenantId ? { tenantId } : {}) });
      return { issuer: identity.issuer, tenant_id: tenantId };
    });
  }
}
