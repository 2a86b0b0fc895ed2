import { randomBytes } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { isPlatformWide, type UserPrincipal } from '../../common/auth/principal.js';
import { Clock } from '../../common/clock/clock.js';
import { unknownReference } from '../../common/database/sql.js';
import { OutboxService } from '../../common/events/outbox.service.js';
import { assertTenantScope, resolveTenantScope } from '../../common/auth/tenant-access.js';
import { AppException } from '../../common/errors/app.exception.js';
import { AccountMails } from '../auth/account-mails.js';
import { PasswordHasher } from '../auth/password-hasher.js';
import { hashToken } from '../auth/tokens/refresh-tokens.js';
import { TenantsRepository } from '../tenants/tenants.repository.js';
import { MembershipsRepository } from '../users/memberships.repository.js';
import { normalizeEmail, UsersRepository } from '../users/users.repository.js';
import type {
  AcceptedInvitationDto,
  AcceptInvitationDto,
  CreateInvitationDto,
  InvitationDto,
  InvitationStatus,
} from './dto/invitation.dto.js';
import { InvitationsRepository, type InvitationRecord } from './invitations.repository.js';
import { userCreatedEvent } from '../users/user-events.js';

const DAY_MS = 24 * 3600 * 1000;

@Injectable()
export class InvitationsService {
  private readonly logger = new Logger(InvitationsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly invitations: InvitationsRepository,
    private readonly users: UsersRepository,
    private readonly memberships: MembershipsRepository,
    private readonly tenants: TenantsRepository,
    private readonly hasher: PasswordHasher,
    private readonly mails: AccountMails,
    private readonly outbox: OutboxService,
    private readonly clock: Clock,
  ) {}

  async create(
    admin: UserPrincipal,
    tenantId: string,
    dto: CreateInvitationDto,
  ): Promise<InvitationDto> {
    assertTenantScope(admin, tenantId);
    await this.requireTenant(tenantId);
    return this.inviteToTenant(tenantId, dto, admin.userId);
  }

  /** An invitation to the tenant, mailed; `invitedBy` is null when the platform sends it. */
  async inviteToTenant(
    tenantId: string,
    dto: CreateInvitationDto,
    invitedBy: string | null,
    name?: string,
  ): Promise<InvitationDto> {
    const email = normalizeEmail(dto.email);
    // The same steps whether or not the address has an account (POST /users relies on it).
    if (await this.memberships.hasMemberWithEmail(tenantId, email)) {
      throw new AppException('USER_ALREADY_MEMBER');
    }
    const token = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    const record = await this.invitations.replace(
      {
        tenantId,
        email,
        role: dto.role,
        tokenHash: hashToken(token),
        invitedBy,
        expiresAt: new Date(now.getTime() + (dto.expires_in_days ?? 7) * DAY_MS),
      },
      now,
    );
    try {
      await this.mails.sendInvitation(
        email,
        record.tenant_name,
        dto.role,
        token,
        record.expires_at,
        name,
      );
    } catch (error) {
      this.logger.error({ err: error }, 'could not queue an invitation mail');
    }
    return this.map(record);
  }

  async list(admin: UserPrincipal, tenantId: string): Promise<InvitationDto[]> {
    assertTenantScope(admin, tenantId);
    await this.requireTenant(tenantId);
    return (await this.invitations.list(tenantId)).map((record) => this.map(record));
  }

  /** `tenantId` undefined: any tenant's invitation (platform-wide callers only). */
  async revoke(admin: UserPrincipal, tenantId: string | undefined, id: string): Promise<void> {
    assertTenantScope(admin, tenantId);
    const record = await this.invitations.find(id);
    if (!record || (tenantId !== undefined && record.tenant_id !== tenantId)) {
      throw new AppException('INVITATION_NOT_FOUND');
    }
    await this.invitations.revoke(id, this.clock.now());
  }

  /**
   * Single use: the claim and everything it grants happen in one transaction, so a second
   * accept (even a concurrent one) finds the invitation used.
   */
  async accept(
    dto: AcceptInvitationDto,
    caller: UserPrincipal | undefined,
  ): Promise<AcceptedInvitationDto> {
    const passwordHash = caller || !dto.password ? null : await this.hasher.hash(dto.password);
    const result = await this.dataSource.transaction(async (manager) => {
      const now = this.clock.now();
      const invitation = await this.invitations.claim(manager, hashToken(dto.token), now);
      if (!invitation) {
        throw new AppException('INVITATION_INVALID');
      }
      let userId: string;
      let created = false;
      if (caller) {
        const user = await this.users.findById(caller.userId, manager);
        if (normalizeEmail(user?.email ?? '') !== invitation.email) {
          throw new AppException('INVITATION_EMAIL_MISMATCH');
        }
        userId = caller.userId;
        // Accepted with an existing account: its owner manages it from now on.
        await this.users.markSelfManaged(manager, userId);
      } else {
        if (await this.users.findByEmail(invitation.email)) {
          throw new AppException('INVITATION_SIGN_IN_REQUIRED');
        }
        if (!passwordHash || !dto.full_name) {
          throw new AppException(
            'COMMON_VALIDATION_FAILED',
            'A new account needs a password and a name',
            {
              fields: [
                ...(passwordHash ? [] : [{ field: 'password', errors: ['password is required'] }]),
                ...(dto.full_name
                  ? []
                  : [{ field: 'full_name', errors: ['full_name is required'] }]),
              ],
            },
          );
        }
        const user = await this.users.insert(manager, {
          email: invitation.email,
          passwordHash,
          fullName: dto.full_name,
          // The mailed link proves the address.
          emailVerifiedAt: now,
          // The school brought the account into being and it has this one membership.
          managedByTenantId: invitation.tenant_id,
        });
        userId = user.id;
        created = true;
        await this.outbox.add(
          manager,
          userCreatedEvent(user, { role: invitation.role, tenantId: invitation.tenant_id }),
        );
      }
      await this.memberships.insert(manager, userId, invitation.tenant_id, invitation.role);
      await this.invitations.recordAcceptedBy(manager, invitation.id, userId);
      if (!created) {
        await this.outbox.add(manager, {
          type: 'user.updated',
          aggregateId: userId,
          payload: {
            user_id: userId,
            tenant_id: invitation.tenant_id,
            updated_fields: ['memberships'],
          },
        });
      }
      return {
        invitation_id: invitation.id,
        tenant_id: invitation.tenant_id,
        role: invitation.role,
        user_id: userId,
        account_created: created,
      };
    });
    return result;
  }

  /** Checked before an invitation row names it: never a foreign-key 500. */
  private async requireTenant(tenantId: string): Promise<void> {
    if (!(await this.tenants.exists(tenantId))) {
      throw unknownReference('tenant_id', 'tenant');
    }
  }

  private map(record: InvitationRecord): InvitationDto {
    return {
      id: record.id,
      tenant_id: record.tenant_id,
      email: record.email,
      role: record.role,
      status: statusOf(record, this.clock.now()),
      created_at: record.created_at.toISOString(),
      expires_at: record.expires_at.toISOString(),
      accepted_at: record.accepted_at ? record.accepted_at.toISOString() : null,
    };
  }
}

function statusOf(record: InvitationRecord, now: Date): InvitationStatus {
  if (record.accepted_at) {
    return 'accepted';
  }
  if (record.revoked_at) {
    return 'revoked';
  }
  return record.expires_at <= now ? 'expired' : 'pending';
}

/**
 * The tenant an admin's invitation routes act in: the one they are signed in to; super admins
 * name any school in `tenant_id` (default: the one they are signed in to).
 */
export function invitingTenant(admin: UserPrincipal, requested?: string): string {
  if (!isPlatformWide(admin) && !admin.tenantId) {
    throw new AppException(
      'AUTH_FORBIDDEN',
      'Invitations are sent from within a tenant: switch to it first',
    );
  }
  const tenantId = resolveTenantScope(admin, requested) ?? admin.tenantId;
  if (!tenantId) {
    throw new AppException('COMMON_VALIDATION_FAILED', 'Name the school (tenant_id)', {
      fields: [{ field: 'tenant_id', errors: ['tenant_id is required for super admins'] }],
    });
  }
  return tenantId;
}
