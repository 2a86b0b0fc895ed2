import { Injectable, Logger } from '@nestjs/common';
import { noteAuditTarget } from '../../common/audit/audit-target.js';
import type { Principal } from '../../common/auth/principal.js';
import { AppException } from '../../common/errors/app.exception.js';
import { AccountMails } from '../auth/account-mails.js';
import { WelcomeMail } from '../auth/passwords/welcome-mail.service.js';
import { TenantsRepository } from '../tenants/tenants.repository.js';
import type { AdminUserDto } from '../user-admin/dto/admin-user.dto.js';
import { UserAdminService } from '../user-admin/user-admin.service.js';
import { Profiles } from '../users/profiles.service.js';
import {
  mapMarketUser,
  NO_USAGE,
  tenantRoleOf,
  type CreatedMarketUserDto,
  type CreateMarketUserDto,
  type InvitedMarketUserDto,
  type MarketUserDto,
  type MarketUserPageDto,
  type MarketUsersQueryDto,
  type UpdateMarketUserDto,
} from './dto/market-user.dto.js';
import { UsageStatsService } from '../usage/usage-stats.service.js';

/**
 * The members of one tenant, as the Service Market manages them: the admin routes' logic
 * (UserAdminService), scoped to the tenant in the path, in the Service Market's shapes.
 */
@Injectable()
export class MarketUsersService {
  private readonly logger = new Logger(MarketUsersService.name);

  constructor(
    private readonly admin: UserAdminService,
    private readonly tenants: TenantsRepository,
    private readonly profiles: Profiles,
    private readonly welcome: WelcomeMail,
    private readonly mails: AccountMails,
    private readonly usage: UsageStatsService,
  ) {}

  async list(
    market: Principal,
    tenantId: string,
    query: MarketUsersQueryDto,
  ): Promise<MarketUserPageDto> {
    await this.tenants.require(tenantId);
    const page = await this.admin.list(market, tenantId, {
      role: query.role ? tenantRoleOf(query.role) : undefined,
      limit: query.limit ?? 20,
      offset: query.offset ?? 0,
    });
    const usage = await this.usage.usageByUser(
      tenantId,
      page.items.map((user) => user.id),
    );
    return {
      tenant_id: tenantId,
      total: page.total,
      limit: page.limit,
      offset: page.offset,
      users: page.items.map((user) => mapMarketUser(user, usage.get(user.id) ?? NO_USAGE)),
    };
  }

  async get(market: Principal, tenantId: string, userId: string): Promise<MarketUserDto> {
    await this.tenants.require(tenantId);
    return this.withUsage(tenantId, await this.admin.get(market, tenantId, userId));
  }

  /**
   * The market acts for the school in the path, under the school's rules: an email that
   * already has an account is invited (202), never attached.
   */
  async create(
    market: Principal,
    tenantId: string,
    dto: CreateMarketUserDto,
  ): Promise<CreatedMarketUserDto | InvitedMarketUserDto> {
    const tenant = await this.tenants.require(tenantId);
    const added = await this.admin.create(market, tenantId, {
      email: dto.email,
      full_name: dto.name,
      role: tenantRoleOf(dto.role),
      temporary_password: dto.password,
    });
    if (added.kind === 'invited') {
      noteAuditTarget({ resourceType: 'invitation', resourceId: added.invitation.id });
      return {
        email: added.invitation.email,
        role: added.invitation.role,
        status: 'invited',
        expires_at: added.invitation.expires_at,
      };
    }
    const created = added.member;
    if (dto.send_welcome_email !== false) {
      await this.sendWelcome(created, dto, tenant.name);
    }
    const user = mapMarketUser(created, NO_USAGE);
    return {
      user_id: user.user_id,
      email: user.email,
      name: user.name,
      role: user.role,
      status: user.status,
      created_at: user.created_at,
      temporary_password: created.account_created,
    };
  }

  async update(
    market: Principal,
    tenantId: string,
    userId: string,
    dto: UpdateMarketUserDto,
  ): Promise<MarketUserDto> {
    await this.tenants.require(tenantId);
    if (dto.name === undefined && dto.role === undefined && dto.status === undefined) {
      throw new AppException('COMMON_VALIDATION_FAILED', 'Nothing to change', { fields: [] });
    }
    let user = await this.admin.get(market, tenantId, userId);
    if (dto.name !== undefined) {
      // The name is the account's: changed only on accounts the school manages.
      await this.admin.requireManagedMember(market, tenantId, userId);
    }
    if (dto.role !== undefined || dto.status !== undefined) {
      user = await this.admin.update(market, tenantId, userId, {
        role: dto.role ? tenantRoleOf(dto.role) : undefined,
        status: dto.status,
      });
    }
    if (dto.name !== undefined) {
      await this.profiles.updateProfile(userId, { full_name: dto.name });
      user = await this.admin.get(market, tenantId, userId);
    }
    return this.withUsage(tenantId, user);
  }

  async remove(market: Principal, tenantId: string, userId: string): Promise<void> {
    await this.tenants.require(tenantId);
    await this.admin.remove(market, tenantId, userId);
  }

  /**
   * Without a given password nobody knows the generated one: the welcome mail's link sets
   * theirs. With one, the person has it from the market: a welcome that says where to sign in.
   */
  private async sendWelcome(
    created: { id: string; email: string | null; full_name: string },
    dto: CreateMarketUserDto,
    schoolName: string,
  ): Promise<void> {
    if (dto.password === undefined) {
      await this.welcome.send(created.id, schoolName);
      return;
    }
    if (!created.email) {
      return;
    }
    try {
      await this.mails.sendWelcomeWithPassword(created.email, created.full_name, schoolName);
    } catch (error) {
      // The member exists either way; a mail that could not be queued is logged, not a failure.
      this.logger.error({ err: error }, 'could not queue a welcome mail');
    }
  }

  private async withUsage(tenantId: string, user: AdminUserDto): Promise<MarketUserDto> {
    const usage = await this.usage.usageByUser(tenantId, [user.id]);
    return mapMarketUser(user, usage.get(user.id) ?? NO_USAGE);
  }
}
