import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Post,
  Query,
} from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { Audited } from '../../common/audit/audited.decorator.js';
import { CurrentUser } from '../../common/auth/current-user.decorator.js';
import { Access } from '../../common/auth/access.decorator.js';
import type { UserPrincipal } from '../../common/auth/principal.js';
import { resolveTenantScope } from '../../common/auth/tenant-access.js';
import { TenantInScope } from '../../common/auth/tenant-in-scope.decorator.js';
import { TenantIdPipe } from '../../common/validation/tenant-id.pipe.js';
import { ApiKeysService } from './api-keys.service.js';
import { ApiKeyDto, CreateApiKeyDto, CreatedApiKeyDto } from './dto/api-key.dto.js';
import { ApiErrors } from '../../common/errors/api-errors.decorator.js';
import { UuidPipe } from '../../common/validation/uuid.pipe.js';

@ApiTags('api-keys')
@Access({ roles: ['admin'], impersonation: 'refused', feature: 'api_integration' })
@Controller('api-keys')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Post()
  @Audited({ action: 'api_key.created', resource: 'api_key' })
  @ApiOperation({
    summary: 'Create an API key for a service account (the key is shown once)',
    description:
      'Tenant admins create keys of their tenant; super admins of any tenant (tenant_id) or platform keys (no tenant_id).',
  })
  @ApiCreatedResponse({ type: CreatedApiKeyDto })
  @ApiErrors('COMMON_FORBIDDEN')
  create(
    @CurrentUser() user: UserPrincipal,
    @Body() dto: CreateApiKeyDto,
  ): Promise<CreatedApiKeyDto> {
    return this.apiKeys.create(user, resolveTenantScope(user, dto.tenant_id), dto);
  }

  @Get()
  @ApiOperation({ summary: 'API keys of your tenant (super admins: all, or one tenant)' })
  @ApiQuery({ name: 'tenant_id', required: false })
  @ApiOkResponse({ type: [ApiKeyDto] })
  @ApiErrors('COMMON_FORBIDDEN')
  list(
    @CurrentUser() user: UserPrincipal,
    @Query('tenant_id', TenantIdPipe) tenantId?: string,
  ): Promise<ApiKeyDto[]> {
    return this.apiKeys.list(user, resolveTenantScope(user, tenantId));
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @Audited({ action: 'api_key.revoked', resource: 'api_key' })
  @ApiOperation({ summary: 'Revoke an API key; it is refused from the next request on' })
  @ApiNoContentResponse()
  @ApiErrors('API_KEY_NOT_FOUND')
  async revoke(
    @CurrentUser() user: UserPrincipal,
    @Param('id', UuidPipe) id: string,
    @TenantInScope() tenantId: string | undefined,
  ): Promise<void> {
    await this.apiKeys.revoke(user, tenantId, id);
  }
}
