import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { noteAuditTarget } from '../../../common/audit/audit-target.js';
import type { UserPrincipal } from '../../../common/auth/principal.js';
import { assertTenantScope } from '../../../common/auth/tenant-access.js';
import { Clock } from '../../../common/clock/clock.js';
import { isForeignKeyViolation, unknownReference } from '../../../common/database/sql.js';
import { AppException } from '../../../common/errors/app.exception.js';
import { AppConfigService } from '../../../config/app-config.service.js';
import { UsersRepository } from '../../users/users.repository.js';
import type { ListDeploymentsQueryDto } from './dto/platform-query.dto.js';
import type { CreatePlatformDto, UpdatePlatformDto } from './dto/platform-request.dto.js';
import {
  mapDeployment,
  mapLaunchRecord,
  mapPlatform,
  type DeploymentDto,
  type PlatformDto,
  type PlatformPageDto,
  type RecentLaunchesDto,
  type RegistrationLinkDto,
} from './dto/platform.dto.js';
import type { PlatformToolConfigurationDto } from './dto/tool-configuration.dto.js';
import { LtiPlatformsRepository, type PlatformRow } from './lti-platforms.repository.js';
import { ToolConfiguration } from './tool-configuration.service.js';

const LINK_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * A school's LMS registrations, as its admins manage them (super admins: any school's). Every
 * method takes the tenant in scope; another school's registration is as absent as a missing one.
 */
@Injectable()
export class LtiPlatformsService {
  private readonly publicUrl: string;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly platforms: LtiPlatformsRepository,
    private readonly users: UsersRepository,
    private readonly toolConfiguration: ToolConfiguration,
    private readonly clock: Clock,
    config: AppConfigService,
  ) {
    this.publicUrl = config.publicUrl;
  }

  async create(
    principal: UserPrincipal,
    tenantId: string | undefined,
    dto: CreatePlatformDto,
  ): Promise<PlatformDto> {
    assertTenantScope(principal, tenantId);
    if (!tenantId) {
      throw new AppException('COMMON_VALIDATION_FAILED', 'tenant_id: name the school it is for', {
        fields: [{ field: 'tenant_id', errors: ['name the school it is for'] }],
      });
    }
    const actor = principal.actorUserId ?? principal.userId;
    try {
      const row = await this.dataSource.transaction(async (manager) => {
        const inserted = await this.platforms.insert(manager, {
          tenantId,
          issuer: dto.issuer,
          clientId: dto.client_id,
          authLoginUrl: dto.auth_login_url,
          tokenUrl: dto.token_url,
          tokenAudience: dto.token_audience ?? null,
          jwksUrl: dto.jwks_url,
          displayName: dto.display_name,
          product: dto.product ?? 'other',
          createdBy: actor,
        });
        if (!inserted) {
          throw new AppException('LTI_PLATFORM_EXISTS');
        }
        await this.platforms.addDeployments(manager, inserted.id, dto.deployment_ids ?? [], actor);
        return inserted;
      });
      noteAuditTarget({ tenantId: row.tenant_id, resourceId: row.id });
      return this.withDeployments(row);
    } catch (error) {
      if (isForeignKeyViolation(error, 'fk_lti_platforms_tenant')) {
        throw unknownReference('tenant_id', 'tenant');
      }
      throw error;
    }
  }

  async list(
    principal: UserPrincipal,
    tenantId: string | undefined,
    page: { limit?: number; offset?: number },
  ): Promise<PlatformPageDto> {
    assertTenantScope(principal, tenantId);
    const limit = page.limit ?? 20;
    const offset = page.offset ?? 0;
    const { rows, total } = await this.platforms.page(tenantId, { limit, offset });
    const deployments = await this.platforms.deploymentsOf(rows.map((row) => row.id));
    return {
      items: rows.map((row) =>
        mapPlatform(
          row,
          deployments.filter((d) => d.platform_id === row.id),
        ),
      ),
      total,
      limit,
      offset,
    };
  }

  async get(
    principal: UserPrincipal,
    tenantId: string | undefined,
    id: string,
  ): Promise<PlatformDto> {
    return this.withDeployments(await this.managed(principal, tenantId, id));
  }

  async update(
    principal: UserPrincipal,
    tenantId: string | undefined,
    id: string,
    dto: UpdatePlatformDto,
  ): Promise<PlatformDto> {
    const platform = await this.managed(principal, tenantId, id);
    if (dto.status === 'active' && platform.status === 'awaiting_approval') {
      // Approving is its own step, so an edit never trusts a registration by the way.
      throw new AppException(
        'LTI_PLATFORM_NOT_AWAITING_APPROVAL',
        'Approve it with POST .../approve',
      );
    }
    await this.platforms.update(id, {
      auth_login_url: dto.auth_login_url,
      token_url: dto.token_url,
      token_audience: dto.token_audience,
      jwks_url: dto.jwks_url,
      display_name: dto.display_name,
      product: dto.product,
      status: dto.status,
    });
    return this.get(principal, tenantId, id);
  }

  async approve(
    principal: UserPrincipal,
    tenantId: string | undefined,
    id: string,
  ): Promise<PlatformDto> {
    await this.managed(principal, tenantId, id);
    if (!(await this.platforms.approve(id))) {
      throw new AppException('LTI_PLATFORM_NOT_AWAITING_APPROVAL');
    }
    return this.get(principal, tenantId, id);
  }

  async delete(principal: UserPrincipal, tenantId: string | undefined, id: string): Promise<void> {
    await this.managed(principal, tenantId, id);
    await this.platforms.delete(id);
  }

  async deployments(
    principal: UserPrincipal,
    tenantId: string | undefined,
    id: string,
    query: ListDeploymentsQueryDto,
  ): Promise<DeploymentDto[]> {
    await this.managed(principal, tenantId, id);
    return (await this.platforms.deploymentsOf([id], query.status)).map(mapDeployment);
  }

  async decideDeployment(
    principal: UserPrincipal,
    tenantId: string | undefined,
    id: string,
    deploymentId: string,
    status: 'approved' | 'refused',
  ): Promise<DeploymentDto> {
    await this.managed(principal, tenantId, id);
    const row = await this.platforms.decideDeployment(
      id,
      deploymentId,
      status,
      principal.actorUserId ?? principal.userId,
    );
    return mapDeployment(row);
  }

  async deleteDeployment(
    principal: UserPrincipal,
    tenantId: string | undefined,
    id: string,
    deploymentId: string,
  ): Promise<void> {
    await this.managed(principal, tenantId, id);
    if (!(await this.platforms.deleteDeployment(id, deploymentId))) {
      throw new AppException('LTI_DEPLOYMENT_NOT_FOUND');
    }
  }

  async recentLaunches(
    principal: UserPrincipal,
    tenantId: string | undefined,
    id: string,
    limit: number,
  ): Promise<RecentLaunchesDto> {
    await this.managed(principal, tenantId, id);
    const rows = await this.platforms.recentLaunches(id, limit);
    const userIds = [...new Set(rows.flatMap((row) => (row.user_id ? [row.user_id] : [])))];
    const names = new Map((await this.users.summaries(userIds)).map((u) => [u.id, u.fullName]));
    return {
      items: rows.map((row) =>
        mapLaunchRecord({
          ...row,
          user_name: row.user_id ? (names.get(row.user_id) ?? null) : null,
        }),
      ),
    };
  }

  async configuration(
    principal: UserPrincipal,
    tenantId: string | undefined,
    id: string,
  ): Promise<PlatformToolConfigurationDto> {
    const platform = await this.managed(principal, tenantId, id);
    const deployments = await this.platforms.deploymentsOf([id]);
    return {
      ...this.toolConfiguration.generic(),
      client_id: platform.client_id,
      issuer: platform.issuer,
      deployments: deployments.map(mapDeployment),
    };
  }

  /** A one-use Dynamic Registration link for the school; only its hash is kept. */
  async registrationLink(
    principal: UserPrincipal,
    tenantId: string | undefined,
  ): Promise<RegistrationLinkDto> {
    assertTenantScope(principal, tenantId);
    if (!tenantId) {
      throw new AppException('COMMON_VALIDATION_FAILED', 'tenant_id: name the school it is for', {
        fields: [{ field: 'tenant_id', errors: ['name the school it is for'] }],
      });
    }
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(this.clock.now().getTime() + LINK_TTL_MS);
    try {
      await this.platforms.insertRegistrationLink({
        tokenHash: createHash('sha256').update(token).digest('hex'),
        tenantId,
        createdBy: principal.actorUserId ?? principal.userId,
        expiresAt,
      });
    } catch (error) {
      if (isForeignKeyViolation(error, 'fk_lti_registration_links_tenant')) {
        throw unknownReference('tenant_id', 'tenant');
      }
      throw error;
    }
    noteAuditTarget({ tenantId });
    return {
      url: `${this.publicUrl}/lti/register?registration_link=${token}`,
      expires_at: expiresAt.toISOString(),
    };
  }

  private async managed(
    principal: UserPrincipal,
    tenantId: string | undefined,
    id: string,
  ): Promise<PlatformRow> {
    assertTenantScope(principal, tenantId);
    const platform = await this.platforms.find(id, tenantId);
    if (!platform) {
      throw new AppException('LTI_PLATFORM_NOT_FOUND');
    }
    noteAuditTarget({ tenantId: platform.tenant_id, resourceId: platform.id });
    return platform;
  }

  private async withDeployments(row: PlatformRow): Promise<PlatformDto> {
    return mapPlatform(row, await this.platforms.deploymentsOf([row.id]));
  }
}
