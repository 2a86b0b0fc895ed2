import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import {
  actorReference,
  isPlatformWide,
  type Principal,
  type UserPrincipal,
} from '../../common/auth/principal.js';
import { resolveTenantScope } from '../../common/auth/tenant-access.js';
import { unknownReference } from '../../common/database/sql.js';
import { Clock } from '../../common/clock/clock.js';
import { isoOrNull } from '../../common/time/iso.js';
import { OutboxService } from '../../common/events/outbox.service.js';
import { AppException } from '../../common/errors/app.exception.js';
import { SessionState } from '../auth/session-state.service.js';
import { SessionsService } from '../auth/sessions.service.js';
import { UsersService } from '../users/users.service.js';
import { UsersRepository } from '../users/users.repository.js';
import { MembershipsRepository } from '../users/memberships.repository.js';
import { PasswordHasher } from '../auth/password-hasher.js';
import type { InvitationDto } from '../invitations/dto/invitation.dto.js';
import { InvitationsService } from '../invitations/invitations.service.js';
import type { CreateUserDto, CreatedUserDto, TemporaryPasswordDto } from './dto/create-user.dto.js';
import type { AdminUserDto, AdminUserPageDto } from './dto/admin-user.dto.js';
import type { ListUsersQueryDto } from './dto/list-users.query.dto.js';
import type { UpdateUserDto } from './dto/update-user.dto.js';
import { UserAdminRepository, type MemberRow } from './user-admin.repository.js';
import '../users/users.errors.js';
import { userCreatedEvent } from '../users/user-events.js';

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
    private readonly users: UsersRepository,
    private readonly memberships: MembershipsRepository,
    private readonly hasher: PasswordHasher,
    private readonly invitations: InvitationsService,
  ) {}

  async list(principal: Principal, query: ListUsersQueryDto): Promise<AdminUserPageDto> {
    const limit = query.limit ?? 20;
    const offset = query.offset ?? 0;
    const { rows, total } = await this.members.list(
      {
        tenantId: resolveTenantScope(principal, query.tenant_id),
        role: query.role,
        status: query.status,
        q: query.q,
        createdAfter: query.created_after,
      },
      { sort: query.sort ?? 'created_at', order: query.order ?? 'desc', limit, offset },
    );
    return { items: rows.map(mapMember), total, limit, offset };
  }

  async get(principal: Principal, userId: string, tenantId?: string): Promise<AdminUserDto> {
    return mapMember(await this.visibleMember(principal, userId, tenantId));
  }

  async update(
    principal: Principal,
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
          by: actorReference(principal),
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
  async remove(principal: Principal, userId: string, tenantId?: string): Promise<void> {
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

  /**
   * A new member: an existing account (same email) just joins the tenant; otherwise an account
   * is made with a temporary password the user must change at the first sign-in.
   */
  async create(principal: Principal, dto: CreateUserDto): Promise<CreatedUserDto> {
    const tenantId = resolveTenantScope(principal, dto.tenant_id);
    if (tenantId === undefined) {
      throw new AppException('COMMON_VALIDATION_FAILED', undefined, {
        fields: [{ field: 'tenant_id', errors: ['tenant_id is required for super admins'] }],
      });
    }
    // Checked before any row names it (a user, a membership, an invitation): never an FK 500.
    if (isPlatformWide(principal) && !(await this.memberships.tenantExists(tenantId))) {
      throw unknownReference('tenant_id', 'tenant');
    }
    const isAdmin =
      (principal.kind === 'user' && principal.role === 'admin') || isPlatformWide(principal);
    // Teachers add pupils without an email to their school; everything else is for admins.
    if (!isAdmin && (dto.role !== 'student' || dto.email !== undefined || !dto.username)) {
      throw new AppException('AUTH_FORBIDDEN', 'Teachers add students with a username only');
    }
    const existing = dto.email ? await this.users.findByEmail(dto.email) : null;
    if (existing) {
      await this.dataSource.transaction(async (manager) => {
        await this.memberships.insert(manager, existing.id, tenantId, dto.role, dto.username);
        await this.outbox.add(manager, {
          type: 'user.updated',
          aggregateId: existing.id,
          payload: { user_id: existing.id, tenant_id: tenantId, updated_fields: ['memberships'] },
        });
      });
      await this.forgetEverywhere(existing.id);
      return { ...(await this.get(principal, existing.id, tenantId)), account_created: false };
    }
    const generated = dto.temporary_password === undefined ? temporaryPassword() : undefined;
    const passwordHash = await this.hasher.hash(dto.temporary_password ?? generated ?? '');
    const created = await this.dataSource.transaction(async (manager) => {
      const user = await this.users.insert(manager, {
        email: dto.email ?? null,
        passwordHash,
        fullName: dto.full_name,
        username: dto.username?.toLowerCase() ?? null,
        // An address given by the school is taken as the member's; no verification mail.
        emailVerifiedAt: dto.email ? this.clock.now() : null,
        mustChangePassword: true,
      });
      await this.memberships.insert(manager, user.id, tenantId, dto.role, dto.username);
      await this.outbox.add(
        manager,
        userCreatedEvent(user, {
          role: dto.role,
          tenantId,
          createdBy: actorReference(principal),
        }),
      );
      return user;
    });
    return {
      ...(await this.get(principal, created.id, tenantId)),
      account_created: true,
      ...(generated ? { temporary_password: generated } : {}),
    };
  }

  /** `POST /users` with `invite: true`: the person gets an invitation mail instead. */
  async invite(principal: UserPrincipal, dto: CreateUserDto): Promise<InvitationDto> {
    if (!dto.email || dto.username || dto.temporary_password || dto.tenant_id) {
      throw new AppException(
        'COMMON_VALIDATION_FAILED',
        'An invitation needs an email, and only that',
        {
          fields: [{ field: 'invite', errors: ['use email and role only with invite'] }],
        },
      );
    }
    if (principal.role !== 'admin' && !isPlatformWide(principal)) {
      throw new AppException('AUTH_FORBIDDEN');
    }
    return this.invitations.create(principal, { email: dto.email, role: dto.role });
  }

  /** Sets a temporary password (returned once), ends every session and clears a lockout. */
  async resetPassword(
    principal: UserPrincipal,
    userId: string,
    tenantId?: string,
  ): Promise<TemporaryPasswordDto> {
    const target = await this.visibleMember(principal, userId, tenantId);
    this.refuseSelfOrSuperior(principal, target);
    const isAdmin = principal.role === 'admin' || isPlatformWide(principal);
    if (!isAdmin) {
      // A teacher resets only students of their own classes.
      const teaches =
        target.role === 'student' &&
        target.tenant_id !== null &&
        (await this.memberships.teaches(principal.userId, userId, target.tenant_id));
      if (!teaches) {
        throw new AppException(
          'AUTH_FORBIDDEN',
          'Teachers reset students of their own classes only',
        );
      }
    }
    const password = temporaryPassword();
    const passwordHash = await this.hasher.hash(password);
    await this.dataSource.transaction(async (manager) => {
      await this.users.setPassword(manager, userId, passwordHash, true);
      await this.sessions.revoke({ userId }, 'password_reset', manager);
      await this.outbox.add(manager, {
        type: 'user.password_changed',
        aggregateId: userId,
        payload: { user_id: userId, via: 'admin_reset', by: principal.userId },
      });
    });
    await this.forgetEverywhere(userId);
    return { temporary_password: password };
  }

  async unlock(principal: UserPrincipal, userId: string, tenantId?: string): Promise<void> {
    const target = await this.visibleMember(principal, userId, tenantId);
    this.refuseSelfOrSuperior(principal, target, { allowSelf: true });
    await this.members.unlock(userId);
  }

  private async visibleMember(
    principal: Principal,
    userId: string,
    requestedTenant: string | undefined,
  ): Promise<MemberRow> {
    const tenantId = resolveTenantScope(principal, requestedTenant);
    const member = await this.members.findMember(userId, tenantId);
    if (!member || (tenantId !== undefined && member.tenant_id === null)) {
      throw new AppException('USER_NOT_FOUND');
    }
    return member;
  }

  private refuseSelfOrSuperior(
    principal: Principal,
    target: MemberRow,
    options: { allowSelf?: boolean } = {},
  ): void {
    const self = principal.kind === 'user' && target.id === principal.userId;
    if (!options.allowSelf && self) {
      throw new AppException(
        'COMMON_CONFLICT',
        'Admins cannot change or remove their own account here',
      );
    }
    const superAdmin = principal.kind === 'user' && principal.platformRole === 'super_admin';
    if (target.platform_role === 'super_admin' && !superAdmin) {
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

/** 16 random characters plus what the password policy asks for (upper, lower, digit, special). */
function temporaryPassword(): string {
  return `${randomBytes(12).toString('base64url')}-Tq7`;
}

/** DTO instances define every declared field (undefined when absent): keep the ones sent. */
function definedKeys(dto: object): string[] {
  return Object.entries(dto)
    .filter(([, value]) => value !== undefined)
    .map(([key]) => key);
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
    must_change_password: row.must_change_password,
    email_verified: row.email_verified_at !== null,
    email_verified_at: isoOrNull(row.email_verified_at),
    last_login_at: isoOrNull(row.last_login_at),
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
    tenant_id: row.tenant_id,
    role: row.role,
    membership_status: row.membership_status,
    locked_until: isoOrNull(row.locked_until),
  };
}
