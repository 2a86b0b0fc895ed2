import { Controller, Get, Param, Query, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '../../common/auth/access.decorator.js';
import { TenantPathPipe } from '../../common/validation/tenant-id.pipe.js';
import { MarketResourcesQueryDto, ResourcePageDto } from './dto/market-resources.dto.js';
import { MarketResourcesService } from './market-resources.service.js';
import { ApiErrors } from '../../common/errors/api-errors.decorator.js';

@ApiTags('market')
@Access.market()
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
  @ApiErrors('TENANT_NOT_FOUND')
  list(
    @Param('tenantId', TenantPathPipe) tenantId: string,
    @Query() query: MarketResourcesQueryDto,
  ): Promise<ResourcePageDto> {
    return this.resources.list(tenantId, query);
  }
}
