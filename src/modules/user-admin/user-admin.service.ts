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
import { assertTenantScope } from '../../common/auth/tenant-access.js';
import { unknownReference } from '../../common/database/sql.js';
import { Clock } from '../../common/clock/clock.js';
import { isoOrNull } from '../../common/time/iso.js';
import { OutboxService } from '../../common/events/outbox.service.js';
import { AppException } from '../../common/errors/app.exception.js';
import { SecurityEvents } from '../auth/security-events.js';
import { SessionsService } from '../auth/sessions.service.js';
import { UsersRepository } from '../users/users.repository.js';
import { MembershipsRepository } from '../users/memberships.repository.js';
import { PasswordHasher } from '../auth/password-hasher.js';
import type { InvitationDto } from '../invitations/dto/invitation.dto.js';
import { InvitationsService, invitingTenant } from '../invitations/invitations.service.js';
import type { CreateUserDto, CreatedUserDto, TemporaryPasswordDto } from './dto/create-user.dto.js';
import type { AdminUserDto, AdminUserPageDto } from './dto/admin-user.dto.js';
import type { ListUsersQueryDto } from './dto/list-users.query.dto.js';
import type { UpdateUserDto } from './dto/update-user.dto.js';
import { MemberAdminRepository, type MemberRow } from '../users/member-admin.repository.js';
import { ClassesRepository } from '../classes/classes.repository.js';
import { TenantsRepository } from '../tenants/tenants.repository.js';
import type { User } from '../users/user.entity.js';
import { isTenantAdmin, type TenantRole } from '../../common/auth/roles.js';
import { userCreatedEvent } from '../users/user-events.js';
import { SeatAssignments } from '../licenses/seat-assignments.service.js';

/**
 * What tenant admins do to the members of their tenant, and super admins to anyone. Every
 * method takes the tenant in scope as an argument (undefined: every tenant, platform-wide
 * callers only) and checks the caller may act there first; another tenant's member is as
 * absent as a missing user (404).
 */
@Injectable()
export class UserAdminService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly members: MemberAdminRepository,
    private readonly sessions: SessionsService,
    private readonly outbox: OutboxService,
    private readonly clock: Clock,
    private readonly users: UsersRepository,
    private readonly memberships: MembershipsRepository,
    private readonly hasher: PasswordHasher,
    private readonly invitations: InvitationsService,
    private readonly security: SecurityEvents,
    private readonly classes: ClassesRepository,
    private readonly tenants: TenantsRepository,
    private readonly seats: SeatAssignments,
  ) {}

  async list(
    principal: Principal,
    tenantId: string | undefined,
    query: Omit<ListUsersQueryDto, 'tenant_id'>,
  ): Promise<AdminUserPageDto> {
    assertTenantScope(principal, tenantId);
    const limit = query.limit ?? 20;
    const offset = query.offset ?? 0;
    const { rows, total } = await this.members.list(
      {
        tenantId,
        role: query.role,
        status: query.status,
        q: query.q,
        createdAfter: query.created_after,
      },
      { sort: query.sort ?? 'created_at', order: query.order ?? 'desc', limit, offset },
    );
    return { items: rows.map(mapMember), total, limit, offset };
  }

  async get(
    principal: Principal,
    tenantId: string | undefined,
    userId: string,
  ): Promise<AdminUserDto> {
    assertTenantScope(principal, tenantId);
    return mapMember(await this.visibleMember(tenantId, userId));
  }

  async update(
    principal: Principal,
    tenantId: string | undefined,
    userId: string,
    dto: UpdateUserDto,
  ): Promise<AdminUserDto> {
    assertTenantScope(principal, tenantId);
    const fields = definedKeys(dto);
    if (fields.length === 0) {
      throw new AppException('COMMON_VALIDATION_FAILED', 'Nothing to change', { fields: [] });
    }
    // Accounts and platform roles are identity-level: never changed with an API key.
    const platformStaff = isPlatformWide(principal) && principal.kind !== 'api_key';
    if (!platformStaff && (dto.is_active !== undefined || dto.platform_role !== undefined)) {
      throw new AppException(
        'AUTH_FORBIDDEN',
        'Only super admins change accounts or platform roles',
      );
    }
    const target = await this.visibleMember(tenantId, userId);
    this.refuseSelfOrSuperior(principal, target);
    refuseAdminsToKeys(principal, target.role, dto.role);
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
        // Only students hold seats: one who becomes staff gives theirs back.
        if (dto.role !== undefined && dto.role !== 'student' && target.role === 'student') {
          await this.seats.releaseAllOf(manager, userId, target.tenant_id);
        }
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
      if (touchesMembership || dto.is_active !== undefined || dto.platform_role !== undefined) {
        await this.security.recordAdminAction(
          'user.access_changed',
          principal,
          { userId, tenantId: target.tenant_id },
          {
            before: {
              role: target.role,
              status: target.membership_status,
              is_active: target.is_active,
              platform_role: target.platform_role,
            },
            after: {
              role: dto.role,
              status: dto.status,
              is_active: dto.is_active,
              platform_role: dto.platform_role,
            },
          },
          manager,
        );
      }
      // Also drops the user's cached profile and session state, once this commits.
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
    return this.get(principal, target.tenant_id ?? undefined, userId);
  }

  /**
   * A tenant admin takes the member out of their tenant; the account itself is deleted only
   * when that was its last membership (or when a super admin deletes it).
   */
  async remove(principal: Principal, tenantId: string | undefined, userId: string): Promise<void> {
    assertTenantScope(principal, tenantId);
    const target = await this.visibleMember(tenantId, userId);
    this.refuseSelfOrSuperior(principal, target);
    refuseAdminsToKeys(principal, target.role);
    // A school deletes only an account it manages; a self-managed one just leaves the school.
    const wholeAccount =
      isPlatformWide(principal) && principal.kind !== 'api_key' && tenantId === undefined
        ? true
        : target.managed_by_tenant_id !== null &&
          target.managed_by_tenant_id === target.tenant_id &&
          (await this.members.countMemberships(userId)) <= 1;
    await this.dataSource.transaction(async (manager) => {
      if (!wholeAccount && target.tenant_id) {
        await this.members.removeMembership(manager, userId, target.tenant_id);
        await this.seats.releaseAllOf(manager, userId, target.tenant_id);
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
      await this.seats.releaseAllOf(manager, userId, undefined);
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
  }

  /**
   * A new member. A school (its admins) adds an email by invitation, whether or not the
   * address has an account: the same steps and the same answer either way, so neither says
   * whether the address is known. Pupils with a username get an account made by the school,
   * with a temporary password to change at the first sign-in. Platform-level callers (super
   * admins, the Service Market) make accounts for new emails too, and invite existing ones.
   */
  async create(
    principal: Principal,
    tenantId: string | undefined,
    dto: Omit<CreateUserDto, 'tenant_id'>,
  ): Promise<AddedMember> {
    assertTenantScope(principal, tenantId);
    if (dto.invite && principal.kind === 'user' && isPlatformWide(principal)) {
      return { kind: 'invited', invitation: await this.invite(principal, tenantId, dto) };
    }
    if (tenantId === undefined) {
      throw new AppException('COMMON_VALIDATION_FAILED', undefined, {
        fields: [{ field: 'tenant_id', errors: ['tenant_id is required for super admins'] }],
      });
    }
    // Checked before any row names it (a user, a membership, an invitation): never an FK 500.
    if (isPlatformWide(principal) && !(await this.tenants.exists(tenantId))) {
      throw unknownReference('tenant_id', 'tenant');
    }
    refuseAdminsToKeys(principal, dto.role);
    // Teachers add pupils without an email to their school; everything else is for admins.
    const teacher = principal.kind === 'user' && !isTenantAdmin(principal);
    if (teacher && (dto.role !== 'student' || dto.email !== undefined || !dto.username)) {
      throw new AppException('AUTH_FORBIDDEN', 'Teachers add students with a username only');
    }
    if (!isPlatformWide(principal)) {
      if (dto.email !== undefined) {
        refuseWithInvitation(dto);
        return this.inviteByEmail(principal, tenantId, dto.email, dto.role);
      }
      if (dto.invite) {
        throw new AppException('COMMON_VALIDATION_FAILED', 'An invitation needs an email', {
          fields: [{ field: 'email', errors: ['email is required with invite'] }],
        });
      }
    } else if (dto.email && (await this.users.findByEmail(dto.email))) {
      return this.inviteByEmail(principal, tenantId, dto.email, dto.role);
    }
    const generated = dto.temporary_password === undefined ? temporaryPassword() : undefined;
    const passwordHash = await this.hasher.hash(dto.temporary_password ?? generated ?? '');
    let created: User;
    try {
      created = await this.dataSource.transaction(async (manager) => {
        const user = await this.users.insert(manager, {
          email: dto.email ?? null,
          passwordHash,
          fullName: dto.full_name,
          username: dto.username?.toLowerCase() ?? null,
          // Not verified until the person proves the address (the welcome link or an invitation);
          // a school-made account signs in with the password it was given meanwhile.
          emailVerifiedAt: null,
          mustChangePassword: true,
          managedByTenantId: tenantId,
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
    } catch (error) {
      // Registered meanwhile: the same answer as if it had been there before.
      if (
        dto.email &&
        error instanceof AppException &&
        error.code === 'USER_EMAIL_ALREADY_EXISTS'
      ) {
        return this.inviteByEmail(principal, tenantId, dto.email, dto.role);
      }
      throw error;
    }
    return {
      kind: 'created',
      member: {
        ...(await this.get(principal, tenantId, created.id)),
        account_created: true,
        ...(generated ? { temporary_password: generated } : {}),
      },
    };
  }

  private async inviteByEmail(
    principal: Principal,
    tenantId: string,
    email: string,
    role: TenantRole,
  ): Promise<AddedMember> {
    const invitation = await this.invitations.inviteToTenant(
      tenantId,
      { email, role },
      principal.kind === 'user' ? principal.userId : null,
    );
    return { kind: 'invited', invitation };
  }

  /** A super admin's `POST /users` with `invite: true`: an invitation to their current tenant. */
  private async invite(
    principal: UserPrincipal,
    tenantId: string | undefined,
    dto: Omit<CreateUserDto, 'tenant_id'>,
  ): Promise<InvitationDto> {
    if (!dto.email || dto.username || dto.temporary_password || tenantId !== undefined) {
      throw new AppException(
        'COMMON_VALIDATION_FAILED',
        'An invitation needs an email, and only that',
        {
          fields: [{ field: 'invite', errors: ['use email and role only with invite'] }],
        },
      );
    }
    if (!isTenantAdmin(principal)) {
      throw new AppException('AUTH_FORBIDDEN');
    }
    return this.invitations.create(principal, invitingTenant(principal), {
      email: dto.email,
      role: dto.role,
    });
  }

  /**
   * Sets a temporary password (returned once), ends every session and clears a lockout. Only
   * for accounts the school manages; a teacher only for their own pupils (`requirePupilOf`).
   */
  async resetPassword(
    principal: UserPrincipal,
    tenantId: string | undefined,
    userId: string,
  ): Promise<TemporaryPasswordDto> {
    assertTenantScope(principal, tenantId);
    const target = await this.visibleMember(tenantId, userId);
    this.refuseSelfOrSuperior(principal, target);
    if (!isTenantAdmin(principal)) {
      await this.requirePupilOf(principal, target);
    }
    await this.requireSchoolManaged(principal, target);
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
      await this.security.recordAdminAction(
        'auth.password_reset_by_admin',
        principal,
        { userId, tenantId: target.tenant_id },
        {},
        manager,
      );
    });
    return { temporary_password: password };
  }

  async unlock(
    principal: UserPrincipal,
    tenantId: string | undefined,
    userId: string,
  ): Promise<void> {
    assertTenantScope(principal, tenantId);
    const target = await this.visibleMember(tenantId, userId);
    this.refuseSelfOrSuperior(principal, target, { allowSelf: true });
    // A lockout shields a password the school does not own: only its owner (a reset mail) or
    // platform staff lift it early.
    if (target.id !== principal.userId) {
      await this.requireSchoolManaged(principal, target);
    }
    await this.members.unlock(userId);
  }

  /**
   * Identity-level changes by a school (password, acting as the user, lifting a lockout, the
   * name): only on accounts this school made and that belong to no other school. Platform
   * staff (super admins) are not bound; the Service Market acts for the school in its path and
   * is.
   */
  async requireSchoolManaged(principal: Principal, target: MemberRow): Promise<void> {
    if (isPlatformStaff(principal)) {
      return;
    }
    if (target.managed_by_tenant_id === null) {
      throw new AppException('USER_ACCOUNT_SELF_MANAGED');
    }
    if (
      target.tenant_id === null ||
      target.managed_by_tenant_id !== target.tenant_id ||
      (await this.members.countMemberships(target.id)) !== 1
    ) {
      throw new AppException('USER_ACCOUNT_MANAGED_ELSEWHERE');
    }
  }

  /** `requireSchoolManaged` for a member looked up by id (the market's name change). */
  async requireManagedMember(
    principal: Principal,
    tenantId: string,
    userId: string,
  ): Promise<void> {
    assertTenantScope(principal, tenantId);
    await this.requireSchoolManaged(principal, await this.visibleMember(tenantId, userId));
  }

  /**
   * A teacher resets a student of their school with no staff role anywhere, who is in one of
   * their classes where an admin put them, or has been for PUPIL_RESET_HOLD_MS: adding someone
   * to a class and resetting their password in one sitting is refused.
   */
  private async requirePupilOf(principal: UserPrincipal, target: MemberRow): Promise<void> {
    const refuse = (reason: string): never => {
      throw new AppException('USER_NOT_YOUR_PUPIL', undefined, { reason });
    };
    if (target.role !== 'student' || target.tenant_id === null) {
      refuse('not_a_student');
    }
    const memberships = await this.memberships.listForUser(target.id);
    if (memberships.some((m) => m.role !== 'student')) {
      refuse('staff_account');
    }
    await this.requireSchoolManaged(principal, target);
    const tenantId = target.tenant_id ?? '';
    const settledBefore = new Date(this.clock.now().getTime() - PUPIL_RESET_HOLD_MS);
    if (!(await this.classes.teaches(principal.userId, target.id, tenantId, settledBefore))) {
      const recently = await this.classes.teaches(
        principal.userId,
        target.id,
        tenantId,
        this.clock.now(),
      );
      refuse(recently ? 'added_too_recently' : 'not_in_your_classes');
    }
  }

  /** The user, with their membership in the tenant in scope (undefined: any, platform-wide). */
  private async visibleMember(tenantId: string | undefined, userId: string): Promise<MemberRow> {
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
}

/** How long a pupil a teacher (or the pupil, by code) put in a class waits for resets by it. */
export const PUPIL_RESET_HOLD_MS = 24 * 3600 * 1000;

/** What `POST /users` did: made the account (201), or sent an invitation (202). */
export type AddedMember =
  { kind: 'created'; member: CreatedUserDto } | { kind: 'invited'; invitation: InvitationDto };

/**
 * A school's email member is invited and chooses their own password, so a temporary password
 * (or a username, which invitations do not carry) cannot come with the email. Refused before
 * any lookup: the answer is the same whether or not the address has an account.
 */
function refuseWithInvitation(dto: CreateUserDto): void {
  const fields = [
    ...(dto.temporary_password === undefined
      ? []
      : [
          {
            field: 'temporary_password',
            errors: ['members with an email are invited and set their own password'],
          },
        ]),
    ...(dto.username === undefined
      ? []
      : [{ field: 'username', errors: ['a username is for pupils without an email'] }]),
  ];
  if (fields.length > 0) {
    throw new AppException(
      'COMMON_VALIDATION_FAILED',
      'Members with an email are invited and set their own password',
      { fields },
    );
  }
}

/**
 * An API key (`users:write`) manages students and teachers: it neither touches an admin nor
 * makes one, a platform key included. Identity-level actions (passwords, lockouts,
 * impersonation, accounts) take no key.
 */
function refuseAdminsToKeys(
  principal: Principal,
  ...roles: Array<TenantRole | null | undefined>
): void {
  if (principal.kind === 'api_key' && roles.includes('admin')) {
    throw new AppException('AUTH_FORBIDDEN', 'API keys manage students and teachers, not admins');
  }
}

/** Platform staff, not bound by a school's limits on accounts it does not manage. */
function isPlatformStaff(principal: Principal): boolean {
  return principal.kind === 'user' && principal.platformRole === 'super_admin';
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
    school_managed: row.tenant_id !== null && row.managed_by_tenant_id === row.tenant_id,
  };
}
