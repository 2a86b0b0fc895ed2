import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { isPlatformWide, type UserPrincipal } from '../../common/auth/principal.js';
import { Clock } from '../../common/clock/clock.js';
import { OutboxService } from '../../common/events/outbox.service.js';
import { AppException } from '../../common/errors/app.exception.js';
import { SessionState } from '../auth/session-state.service.js';
import { SessionsService } from '../auth/sessions.service.js';
import { UsersService } from '../users/users.service.js';
import type { AdminUserDto, AdminUserPageDto } from './dto/admin-user.dto.js';
import type { ListUsersQueryDto } from './dto/list-users.query.dto.js';
import type { UpdateUserDto } from './dto/update-user.dto.js';
import { UserAdminRepository, type MemberRow } from './user-admin.repository.js';
import '../users/users.errors.js';

/**
 * What tenant admins do to the members of their tenant, and super admins to anyone. Every
 * method resolves the tenant in scope first; another tenant's member is as absent as a
 * missing user (404).
 */
@Injectable()
export class UserAdminService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly members: UserAdminRepository,
    private readonly sessions: SessionsService,
    private readonly sessionState: SessionState,
    private readonly profiles: UsersService,
    private readonly outbox: OutboxService,
    private readonly clock: Clock,
  ) {}

  async list(principal: UserPrincipal, query: ListUsersQueryDto): Promise<AdminUserPageDto> {
    const limit = query.limit ?? 20;
    const offset = query.offset ?? 0;
    const { rows, total } = await this.members.list(
      {
        tenantId: this.tenantScope(principal, query.tenant_id),
        role: query.role,
        status: query.status,
        q: query.q,
        createdAfter: query.created_after,
      },
      { sort: query.sort ?? 'created_at', order: query.order ?? 'desc', limit, offset },
    );
    return { items: rows.map(mapMember), total, limit, offset };
  }

  async get(principal: UserPrincipal, userId: string, tenantId?: string): Promise<AdminUserDto> {
    return mapMember(await this.visibleMember(principal, userId, tenantId));
  }

  async update(
    principal: UserPrincipal,
    userId: string,
    dto: UpdateUserDto,
    tenantId?: string,
  ): Promise<AdminUserDto> {
    const fields = definedKeys(dto);
    if (fields.length === 0) {
      throw new AppException('COMMON_VALIDATION_FAILED', 'Nothing to change', { fields: [] });
    }
    const platformWide = isPlatformWide(principal);
    if (!platformWide && (dto.is_active !== undefined || dto.platform_role !== undefined)) {
      throw new AppException(
        'AUTH_FORBIDDEN',
        'Only super admins change accounts or platform roles',
      );
    }
    const target = await this.visibleMember(principal, userId, tenantId);
    this.refuseSelfOrSuperior(principal, target);
    const touchesMembership = dto.role !== undefined || dto.status !== undefined;
    if (touchesMembership && target.tenant_id === null) {
      throw new AppException(
        'COMMON_VALIDATION_FAILED',
        'Name the tenant (tenant_id) whose membership changes',
        {
          fields: [{ field: 'tenant_id', errors: ['required to change a role or status'] }],
        },
      );
    }
    await this.dataSource.transaction(async (manager) => {
      if (touchesMembership && target.tenant_id) {
        await this.members.updateMembership(manager, userId, target.tenant_id, {
          role: dto.role,
          status: dto.status,
        });
      }
      if (dto.is_active !== undefined || dto.platform_role !== undefined) {
        await this.members.updateAccount(manager, userId, {
          isActive: dto.is_active,
          platformRole: dto.platform_role,
        });
      }
      if (dto.status === 'suspended' && target.tenant_id) {
        await this.sessions.revoke(
          { userId, tenantId: target.tenant_id },
          'membership_suspended',
          manager,
        );
      }
      if (dto.is_active === false) {
        await this.sessions.revoke({ userId }, 'account_disabled', manager);
      }
      await this.outbox.add(manager, {
        type: 'user.updated',
        aggregateId: userId,
        payload: {
          user_id: userId,
          email: target.email,
          name: target.full_name,
          tenant_id: target.tenant_id,
          updated_fields: fields,
          by: principal.userId,
        },
      });
    });
    await this.forgetEverywhere(userId);
    return this.get(principal, userId, target.tenant_id ?? undefined);
  }

  /**
   * A tenant admin takes the member out of their tenant; the account itself is deleted only
   * when that was its last membership (or when a super admin deletes it).
   */
  async remove(principal: UserPrincipal, userId: string, tenantId?: string): Promise<void> {
    const target = await this.visibleMember(principal, userId, tenantId);
    this.refuseSelfOrSuperior(principal, target);
    const wholeAccount =
      isPlatformWide(principal) && tenantId === undefined
        ? true
        : (await this.members.countMemberships(userId)) <= 1;
    await this.dataSource.transaction(async (manager) => {
      if (!wholeAccount && target.tenant_id) {
        await this.members.removeMembership(manager, userId, target.tenant_id);
        await this.sessions.revoke(
          { userId, tenantId: target.tenant_id },
          'membership_suspended',
          manager,
        );
        await this.outbox.add(manager, {
          type: 'user.updated',
          aggregateId: userId,
          payload: {
            user_id: userId,
            tenant_id: target.tenant_id,
            updated_fields: ['memberships'],
          },
        });
        return;
      }
      await this.members.softDelete(manager, userId, this.clock.now());
      await this.sessions.revoke({ userId }, 'account_deleted', manager);
      await this.outbox.add(manager, {
        type: 'user.deleted',
        aggregateId: userId,
        payload: {
          user_id: userId,
          email: target.email,
          deleted_at: this.clock.now().toISOString(),
        },
      });
    });
    await this.forgetEverywhere(userId);
  }

  async unlock(principal: UserPrincipal, userId: string, tenantId?: string): Promise<void> {
    const target = await this.visibleMember(principal, userId, tenantId);
    this.refuseSelfOrSuperior(principal, target, { allowSelf: true });
    await this.members.unlock(userId);
  }

  private tenantScope(principal: UserPrincipal, requested: string | undefined): string | undefined {
    if (isPlatformWide(principal)) {
      return requested;
    }
    if (requested !== undefined && requested !== principal.tenantId) {
      throw new AppException('COMMON_FORBIDDEN', 'This belongs to another tenant');
    }
    if (principal.tenantId === null) {
      throw new AppException('AUTH_FORBIDDEN');
    }
    return principal.tenantId;
  }

  private async visibleMember(
    principal: UserPrincipal,
    userId: string,
    requestedTenant: string | undefined,
  ): Promise<MemberRow> {
    const tenantId = this.tenantScope(principal, requestedTenant);
    const member = await this.members.findMember(userId, tenantId);
    if (!member || (tenantId !== undefined && member.tenant_id === null)) {
      throw new AppException('USER_NOT_FOUND');
    }
    return member;
  }

  private refuseSelfOrSuperior(
    principal: UserPrincipal,
    target: MemberRow,
    options: { allowSelf?: boolean } = {},
  ): void {
    if (!options.allowSelf && target.id === principal.userId) {
      throw new AppException(
        'COMMON_CONFLICT',
        'Admins cannot change or remove their own account here',
      );
    }
    if (target.platform_role === 'super_admin' && principal.platformRole !== 'super_admin') {
      throw new AppException('AUTH_FORBIDDEN', 'Only super admins manage super admins');
    }
  }

  /** Cached sessions and profile of the user drop at once, here and on every instance. */
  private async forgetEverywhere(userId: string): Promise<void> {
    this.profiles.forget(userId);
    const live = await this.sessions.listLive(userId);
    this.sessionState.forget(live.map((session) => session.id));
  }
}

/** DTO instances define every declared field (undefined when absent): keep the ones sent. */
function definedKeys(dto: object): string[] {
  return Object.entries(dto)
    .filter(([, value]) => value !== undefined)
    .map(([key]) => key);
}

function iso(date: Date | null): string | null {
  return date ? date.toISOString() : null;
}

export function mapMember(row: MemberRow): AdminUserDto {
  return {
    id: row.id,
    email: row.email,
    full_name: row.full_name,
    username: row.username,
    phone: row.phone,
    grade_level: row.grade_level,
    profile_image_url: row.profile_image_url,
    preferences: row.preferences,
    platform_role: row.platform_role,
    is_active: row.is_active,
    email_verified: row.email_verified_at !== null,
    email_verified_at: iso(row.email_verified_at),
    last_login_at: iso(row.last_login_at),
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
    tenant_id: row.tenant_id,
    role: row.role,
    membership_status: row.membership_status,
    locked_until: iso(row.locked_until),
  };
}
