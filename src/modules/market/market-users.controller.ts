import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Post,
  Put,
  Query,
  Res,
  VERSION_NEUTRAL,
} from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import {
  ApiAcceptedResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Audited } from '../../common/audit/audited.decorator.js';
import { CurrentPrincipal } from '../../common/auth/current-principal.decorator.js';
import { Access } from '../../common/auth/access.decorator.js';
import type { Principal } from '../../common/auth/principal.js';
import { TenantPathPipe } from '../../common/validation/tenant-id.pipe.js';
import {
  CreatedMarketUserDto,
  CreateMarketUserDto,
  InvitedMarketUserDto,
  MarketUserDto,
  MarketUserPageDto,
  MarketUsersQueryDto,
  UpdateMarketUserDto,
} from './dto/market-user.dto.js';
import { MarketUsersService } from './market-users.service.js';
import { ApiErrors } from '../../common/errors/api-errors.decorator.js';
import { UuidPipe } from '../../common/validation/uuid.pipe.js';

@ApiTags('market')
@Access.market()
@Controller({ path: 'mt/tenant/:tenantId/users', version: VERSION_NEUTRAL })
export class MarketUsersController {
  constructor(private readonly users: MarketUsersService) {}

  @Get()
  @ApiOperation({ summary: "The tenant's members with their usage" })
  @ApiOkResponse({ type: MarketUserPageDto })
  @ApiErrors('TENANT_NOT_FOUND')
  list(
    @CurrentPrincipal() market: Principal,
    @Param('tenantId', TenantPathPipe) tenantId: string,
    @Query() query: MarketUsersQueryDto,
  ): Promise<MarketUserPageDto> {
    return this.users.list(market, tenantId, query);
  }

  @Post()
  @Audited({ action: 'user.created', resource: 'user', idField: 'user_id' })
  @ApiOperation({
    summary: 'Add a member: a new account, or an invitation for an email that has one',
    description:
      'A given `password` is temporary (changed at the first sign-in). Without one, the welcome mail (`send_welcome_email`, default true) lets the person choose theirs. An email that already has an account is invited (202): the person joins only by accepting, and the answer says nothing about their account.',
  })
  @ApiCreatedResponse({ type: CreatedMarketUserDto })
  @ApiAcceptedResponse({ type: InvitedMarketUserDto, description: 'the email has an account' })
  @ApiErrors(
    'TENANT_NOT_FOUND',
    'USER_ALREADY_MEMBER',
    'USER_USERNAME_TAKEN',
    'TENANT_USER_LIMIT_REACHED',
  )
  async create(
    @CurrentPrincipal() market: Principal,
    @Param('tenantId', TenantPathPipe) tenantId: string,
    @Body() dto: CreateMarketUserDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CreatedMarketUserDto | InvitedMarketUserDto> {
    const added = await this.users.create(market, tenantId, dto);
    if ('status' in added && added.status === 'invited') {
      void reply.status(HttpStatus.ACCEPTED);
    }
    return added;
  }

  @Get(':userId')
  @ApiOperation({ summary: 'One member with their usage' })
  @ApiOkResponse({ type: MarketUserDto })
  @ApiErrors('TENANT_NOT_FOUND', 'USER_NOT_FOUND')
  get(
    @CurrentPrincipal() market: Principal,
    @Param('tenantId', TenantPathPipe) tenantId: string,
    @Param('userId', UuidPipe) userId: string,
  ): Promise<MarketUserDto> {
    return this.users.get(market, tenantId, userId);
  }

  @Put(':userId')
  @Audited({ action: 'user.updated', resource: 'user', idParam: 'userId' })
  @ApiOperation({ summary: "Change a member's name, role or status in this tenant" })
  @ApiOkResponse({ type: MarketUserDto })
  @ApiErrors(
    'TENANT_NOT_FOUND',
    'USER_NOT_FOUND',
    'USER_ACCOUNT_SELF_MANAGED',
    'USER_ACCOUNT_MANAGED_ELSEWHERE',
  )
  update(
    @CurrentPrincipal() market: Principal,
    @Param('tenantId', TenantPathPipe) tenantId: string,
    @Param('userId', UuidPipe) userId: string,
    @Body() dto: UpdateMarketUserDto,
  ): Promise<MarketUserDto> {
    return this.users.update(market, tenantId, userId, dto);
  }

  @Delete(':userId')
  @HttpCode(HttpStatus.NO_CONTENT)
  @Audited({ action: 'user.removed', resource: 'user', idParam: 'userId' })
  @ApiOperation({
    summary: 'Take the member out of this tenant (the account goes with its last membership)',
  })
  @ApiNoContentResponse()
  @ApiErrors('TENANT_NOT_FOUND', 'USER_NOT_FOUND', 'COMMON_CONFLICT')
  async remove(
    @CurrentPrincipal() market: Principal,
    @Param('tenantId', TenantPathPipe) tenantId: string,
    @Param('userId', UuidPipe) userId: string,
  ): Promise<void> {
    await this.users.remove(market, tenantId, userId);
  }
}
