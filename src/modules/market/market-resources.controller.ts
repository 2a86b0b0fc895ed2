import { Controller, Get, Param, Query, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { MarketApi } from '../../common/auth/market-api.decorator.js';
import { ErrorEnvelope } from '../../common/errors/error-envelope.dto.js';
import { TenantPathPipe } from '../../common/validation/tenant-id.pipe.js';
import { MarketResourcesQueryDto, ResourcePageDto } from './dto/market-resources.dto.js';
import { MarketResourcesService } from './market-resources.service.js';

@ApiTags('market')
@MarketApi()
@Controller({ path: 'mt/tenant/:tenantId/resources', version: VERSION_NEUTRAL })
export class MarketResourcesController {
  constructor(private readonly resources: MarketResourcesService) {}

  @Get()
  @ApiOperation({
    summary: "The tenant's courses (its classes), discussions or documents",
    description:
      'Discussions and documents are kept by the AI services, not this platform: those lists are empty here.',
  })
  @ApiOkResponse({ type: ResourcePageDto })
  @ApiNotFoundResponse({ type: ErrorEnvelope, description: 'TENANT_NOT_FOUND' })
  list(
    @Param('tenantId', TenantPathPipe) tenantId: string,
    @Query() query: MarketResourcesQueryDto,
  ): Promise<ResourcePageDto> {
    return this.resources.list(tenantId, query);
  }
}
