import { Controller, Get, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Access } from '../../common/auth/access.decorator.js';
import { CurrentUser } from '../../common/auth/current-user.decorator.js';
import type { UserPrincipal } from '../../common/auth/principal.js';
import { ApiErrors } from '../../common/errors/api-errors.decorator.js';
import { MyEntitlementsDto } from './dto/my-entitlements.dto.js';
import { MyLicenseDto } from './dto/seat.dto.js';
import { MyEntitlements } from './my-entitlements.service.js';
import { RequiresSeat } from './requires-seat.decorator.js';

@ApiTags('licenses')
@Controller()
export class MyLicenseController {
  constructor(private readonly mine: MyEntitlements) {}

  @Get('licenses/me')
  @Access({ roles: ['student'] })
  @RequiresSeat()
  @ApiOperation({ summary: 'Your seat and the license it is on (students; 403 without a seat)' })
  @ApiOkResponse({ type: MyLicenseDto })
  @ApiErrors('AUTH_FORBIDDEN')
  myLicense(
    @CurrentUser() user: UserPrincipal,
    @Req() request: FastifyRequest,
  ): Promise<MyLicenseDto> {
    return this.mine.license(user, request.seat ?? null);
  }

  @Get('users/me/entitlements')
  @Access()
  @ApiOperation({
    summary: "What you have: your plan, your school's plan, your seat, and the features on",
  })
  @ApiOkResponse({ type: MyEntitlementsDto })
  entitlements(@CurrentUser() user: UserPrincipal): Promise<MyEntitlementsDto> {
    return this.mine.of(user);
  }
}
