import { Body, Controller, Get, Param, Put, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Audited } from '../../common/audit/audited.decorator.js';
import { Access } from '../../common/auth/access.decorator.js';
import { TenantPathPipe } from '../../common/validation/tenant-id.pipe.js';
import { TenantSettingsResponseDto } from '../tenants/dto/tenant-settings-response.dto.js';
import { UpdateTenantSettingsDto } from '../tenants/dto/tenant-settings.dto.js';
import { ApiErrors } from '../../common/errors/api-errors.decorator.js';
import { MarketSettingsService } from './market-settings.service.js';

@ApiTags('market')
@Access.market()
@Controller({ path: 'mt/tenant/:tenantId/settings', version: VERSION_NEUTRAL })
export class MarketSettingsController {
  constructor(private readonly settings: MarketSettingsService) {}

  @Get()
  @ApiOperation({ summary: "The tenant's configuration and subscription" })
  @ApiOkResponse({ type: TenantSettingsResponseDto })
  @ApiErrors('TENANT_NOT_FOUND')
  get(@Param('tenantId', TenantPathPipe) tenantId: string): Promise<TenantSettingsResponseDto> {
    return this.settings.get(tenantId);
  }

  @Put()
  @Audited({ action: 'tenant.settings_updated', resource: 'tenant', idParam: 'tenantId' })
  @ApiOperation({
    summary: 'Change configuration and subscription, validated field by field',
    description:
      'The sections sent are merged into what is stored (`features`, `limits` and `branding` key by key; `google_domains`, `microsoft_domains`, `microsoft_tenant_ids` and `model_prices` replaced); `null` clears a value.',
  })
  @ApiOkResponse({ type: TenantSettingsResponseDto })
  @ApiErrors(
    'TENANT_NOT_FOUND',
    'TENANT_GOOGLE_DOMAIN_TAKEN',
    'TENANT_MICROSOFT_DOMAIN_TAKEN',
    'TENANT_MAX_USERS_BELOW_MEMBERS',
  )
  update(
    @Param('tenantId', TenantPathPipe) tenantId: string,
    @Body() dto: UpdateTenantSettingsDto,
  ): Promise<TenantSettingsResponseDto> {
    return this.settings.update(tenantId, dto);
  }
}
