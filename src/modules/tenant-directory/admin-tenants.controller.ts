import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '../../common/auth/access.decorator.js';
import { ApiErrors } from '../../common/errors/api-errors.decorator.js';
import { ListTenantsQueryDto } from '../tenants/dto/list-tenants.query.dto.js';
import { TenantPageDto } from '../tenants/dto/tenant-summary.dto.js';
import { TenantDirectoryService } from './tenant-directory.service.js';

@ApiTags('tenants')
@Access({ roles: ['super_admin'] })
@Controller('admin/tenants')
export class AdminTenantsController {
  constructor(private readonly directory: TenantDirectoryService) {}

  @Get()
  @ApiOperation({
    summary: 'Every school, by name: filter by part of the name or id, status and plan',
    description:
      'Super admins only. Offset pages (`limit` 1–100, default 20) with the total of matches. Invite someone into any of them with `POST /invitations` and its `tenant_id`.',
  })
  @ApiOkResponse({ type: TenantPageDto })
  @ApiErrors('COMMON_VALIDATION_FAILED', 'AUTH_FORBIDDEN')
  list(@Query() query: ListTenantsQueryDto): Promise<TenantPageDto> {
    return this.directory.list(query);
  }
}
