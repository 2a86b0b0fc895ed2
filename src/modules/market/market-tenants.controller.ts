import { Controller, Get, Param, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { MarketApi } from '../../common/auth/market-api.decorator.js';
import { ErrorEnvelope } from '../../common/errors/error-envelope.dto.js';
import { TenantPathPipe } from '../../common/validation/tenant-id.pipe.js';
import { TenantStatusDto } from './dto/tenant-status.dto.js';
import { MarketTenantsService } from './market-tenants.service.js';

@ApiTags('market')
@MarketApi()
@Controller({ path: 'mt/tenant/:tenantId', version: VERSION_NEUTRAL })
export class MarketTenantsController {
  constructor(private readonly tenants: MarketTenantsService) {}

  @Get('status')
  @ApiOperation({ summary: "The tenant's lifecycle state" })
  @ApiOkResponse({ type: TenantStatusDto })
  @ApiNotFoundResponse({ type: ErrorEnvelope, description: 'TENANT_NOT_FOUND' })
  status(@Param('tenantId', TenantPathPipe) tenantId: string): Promise<TenantStatusDto> {
    return this.tenants.status(tenantId);
  }
}
