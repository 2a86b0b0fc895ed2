import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { Clock } from '../../common/clock/clock.js';
import { isUniqueViolation } from '../../common/database/sql.js';
import { AppException } from '../../common/errors/app.exception.js';
import { OutboxService } from '../../common/events/outbox.service.js';
import { SessionsService } from '../auth/sessions.service.js';
import { InvitationsService } from '../invitations/invitations.service.js';
import { assertSubscriptionInOrder } from '../tenants/tenant-settings.js';
import { mergeConfig } from '../tenants/tenant-settings.service.js';
import { TenantsRepository, type NewTenant } from '../tenants/tenants.repository.js';
import { MembershipsRepository } from '../users/memberships.repository.js';
import type {
  ActivateTenantDto,
  AdminInvitationView,
  DeactivateTenantDto,
  TenantLifecycleDto,
} from './dto/tenant-lifecycle.dto.js';
import { mapTenantStatus, type TenantStatusDto } from './dto/tenant-status.dto.js';

type LifecycleResult = TenantLifecycleDto['result'];

/** A tenant's lifecycle as the Service Market drives it; every call is idempotent. */
@Injectable()
export class MarketTenantsService {
  private readonly logger = new Logger(MarketTenantsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tenants: TenantsRepository,
    private readonly memberships: MembershipsRepository,
    private readonly sessions: SessionsService,
    private readonly invitations: InvitationsService,
    private readonly outbox: OutboxService,
    private readonly clock: Clock,
  ) {}

  async status(tenantId: string): Promise<TenantStatusDto> {
    const tenant = await this.tenants.require(tenantId);
    return mapTenantStatus(tenant, await this.memberships.countForTenant(tenantId));
  }

  /**
   * Creates the tenant, or reactivates it; an active tenant is left as it is and its state
   * returned. The first admin is invited when the tenant (re)starts.
   */
  async activate(tenantId: string, dto: ActivateTenantDto): Promise<TenantLifecycleDto> {
    let result: LifecycleResult;
    try {
      result = await this.activateOnce(tenantId, dto);
    } catch (error) {
      // Two first activations at once: the loser finds the tenant the winner created.
      if (!isUniqueViolation(error)) {
        throw error;
      }
      result = await this.activateOnce(tenantId, dto);
    }
    const invitation =
      result !== 'unchanged' && dto.admin_email
        ? await this.inviteFirstAdmin(tenantId, dto.admin_email, dto.admin_name)
        : null;
    return { ...(await this.status(tenantId)), result, admin_invitation: invitation };
  }

  /** The data stays; members are signed out at once and cannot sign in, keys stop working. */
  async deactivate(tenantId: string, dto: DeactivateTenantDto): Promise<TenantLifecycleDto> {
    const result = await this.dataSource.transaction(async (manager) => {
      const tenant = await this.tenants.lockById(manager, tenantId);
      if (tenant.status === 'deactivated') {
        return 'unchanged' as const;
      }
      const reason = dto.reason ?? null;
      await this.tenants.deactivate(manager, tenantId, reason, this.clock.now());
      await this.sessions.revoke({ tenantId }, 'tenant_deactivated', manager);
      // Also drops the tenant's cached settings and its members' profiles, once this commits.
      await this.outbox.add(manager, {
        type: 'tenant.deactivated',
        aggregateId: tenantId,
        payload: { tenant_id: tenantId, status: 'deactivated', reason },
      });
      return 'deactivated' as const;
    });
    return { ...(await this.status(tenantId)), result, admin_invitation: null };
  }

  private activateOnce(tenantId: string, dto: ActivateTenantDto): Promise<LifecycleResult> {
    return this.dataSource.transaction(async (manager) => {
      const now = this.clock.now();
      const existing = await this.tenants.findForUpdate(manager, tenantId);
      if (existing?.status === 'active') {
        return 'unchanged';
      }
      const tenant: NewTenant = {
        id: tenantId,
        name: dto.name,
        plan: dto.plan ?? dto.subscription?.plan ?? null,
        settings: mergeConfig(existing?.settings ?? {}, dto.settings),
        subscription: { ...(existing?.subscription ?? {}), ...withoutPlan(dto.subscription) },
      };
      assertSubscriptionInOrder(tenant.subscription);
      if (existing) {
        // A reactivated school keeps its members: a new max_users must leave room for them.
        await this.memberships.assertRoomForMembers(manager, tenantId, tenant.settings);
        await this.tenants.reactivate(manager, tenant, now);
      } else {
        await this.tenants.insertActive(manager, tenant, now);
      }
      await this.outbox.add(manager, {
        type: 'tenant.activated',
        aggregateId: tenantId,
        payload: {
          tenant_id: tenantId,
          status: 'active',
          name: tenant.name,
          plan: tenant.plan,
          reactivated: existing !== undefined,
        },
      });
      return existing ? 'reactivated' : 'created';
    });
  }

  private async inviteFirstAdmin(
    tenantId: string,
    email: string,
    name: string | undefined,
  ): Promise<AdminInvitationView | null> {
    try {
      const invitation = await this.invitations.inviteToTenant(
        tenantId,
        { email, role: 'admin' },
        null,
        name,
      );
      return { email: invitation.email, expires_at: invitation.expires_at };
    } catch (error) {
      if (error instanceof AppException && error.code === 'USER_ALREADY_MEMBER') {
        return null;
      }
      throw error;
    }
  }
}

function withoutPlan(subscription: object | undefined): Record<string, unknown> {
  const { plan: _plan, ...rest } = (subscription ?? {}) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined));
}
