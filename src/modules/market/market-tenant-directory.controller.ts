import { Controller, Get, Query, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '../../common/auth/access.decorator.js';
import { ApiErrors } from '../../common/errors/api-errors.decorator.js';
import { ListTenantsQueryDto } from '../tenants/dto/list-tenants.query.dto.js';
import { TenantPageDto } from '../tenants/dto/tenant-summary.dto.js';
import { TenantDirectoryService } from '../tenant-directory/tenant-directory.service.js';

@ApiTags('market')
@Access.market()
@Controller({ path: 'mt/tenants', version: VERSION_NEUTRAL })
export class MarketTenantDirectoryController {
  constructor(private readonly directory: TenantDirectoryService) {}

  @Get()
  @ApiOperation({
    summary: 'Every tenant, by name: filter by part of the name or id, status and plan',
    description:
      'Offset pages (`limit` 1–100, default 20) with the total of matches; each item as `GET /mt/tenant/{id}/status` plus its subscription.',
  })
  @ApiOkResponse({ type: TenantPageDto })
  @ApiErrors('COMMON_VALIDATION_FAILED')
  list(@Query() query: ListTenantsQueryDto): Promise<TenantPageDto> {
    return this.directory.list(query);
  }
}
