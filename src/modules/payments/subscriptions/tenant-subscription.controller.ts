import { Body, Controller, Get, HttpCode, HttpStatus, Param, Patch, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Audited } from '../../../common/audit/audited.decorator.js';
import { Access } from '../../../common/auth/access.decorator.js';
import { CurrentUser } from '../../../common/auth/current-user.decorator.js';
import type { UserPrincipal } from '../../../common/auth/principal.js';
import { ApiErrors } from '../../../common/errors/api-errors.decorator.js';
import { TenantPathPipe } from '../../../common/validation/tenant-id.pipe.js';
import { billingPayer } from '../billing-scope.js';
import { ChangeSeatsDto, SubscriptionDto } from '../dto/subscription.dto.js';
import { PaymentsRoute } from '../payments-route.decorator.js';
import { SubscriptionsService } from './subscriptions.service.js';

@ApiTags('payments')
@PaymentsRoute()
@Access({ roles: ['admin', 'super_admin'] })
@Controller('tenants/:tenantId/subscription')
export class TenantSubscriptionController {
  constructor(private readonly subscriptions: SubscriptionsService) {}

  @Get()
  @ApiOperation({ summary: "The school's subscription (its admins, super admins)" })
  @ApiOkResponse({ type: SubscriptionDto })
  @ApiErrors('AUTH_FORBIDDEN', 'COMMON_FORBIDDEN', 'PAYMENTS_SUBSCRIPTION_NOT_FOUND')
  get(
    @CurrentUser() user: UserPrincipal,
    @Param('tenantId', TenantPathPipe) tenantId: string,
  ): Promise<SubscriptionDto> {
    return this.subscriptions.current(billingPayer(user, tenantId));
  }

  @Post('cancel')
  @HttpCode(HttpStatus.OK)
  @Access({ roles: ['admin', 'super_admin'], impersonation: 'refused' })
  @Audited({ action: 'subscription.cancel_requested', resource: 'subscription' })
  @ApiOperation({ summary: "Cancel the school's subscription at the end of the period" })
  @ApiOkResponse({ type: SubscriptionDto })
  @ApiErrors(
    'AUTH_FORBIDDEN',
    'AUTH_IMPERSONATION_FORBIDDEN',
    'COMMON_FORBIDDEN',
    'PAYMENTS_SUBSCRIPTION_NOT_FOUND',
    'PAYMENTS_STRIPE_UNAVAILABLE',
  )
  cancel(
    @CurrentUser() user: UserPrincipal,
    @Param('tenantId', TenantPathPipe) tenantId: string,
  ): Promise<SubscriptionDto> {
    return this.subscriptions.cancelAtPeriodEnd(billingPayer(user, tenantId));
  }

  @Post('resume')
  @HttpCode(HttpStatus.OK)
  @Access({ roles: ['admin', 'super_admin'], impersonation: 'refused' })
  @Audited({ action: 'subscription.resumed', resource: 'subscription' })
  @ApiOperation({ summary: "Keep the school's subscription set to cancel at period end" })
  @ApiOkResponse({ type: SubscriptionDto })
  @ApiErrors(
    'AUTH_FORBIDDEN',
    'AUTH_IMPERSONATION_FORBIDDEN',
    'COMMON_FORBIDDEN',
    'PAYMENTS_SUBSCRIPTION_NOT_FOUND',
    'PAYMENTS_STRIPE_UNAVAILABLE',
  )
  resume(
    @CurrentUser() user: UserPrincipal,
    @Param('tenantId', TenantPathPipe) tenantId: string,
  ): Promise<SubscriptionDto> {
    return this.subscriptions.resume(billingPayer(user, tenantId));
  }

  @Patch()
  @Access({ roles: ['admin', 'super_admin'], impersonation: 'refused' })
  @Audited({ action: 'subscription.seats_changed', resource: 'subscription' })
  @ApiOperation({
    summary:
      'Change the number of seats of a seat plan (through Stripe, prorated as Stripe decides)',
  })
  @ApiOkResponse({ type: SubscriptionDto })
  @ApiErrors(
    'AUTH_FORBIDDEN',
    'AUTH_IMPERSONATION_FORBIDDEN',
    'COMMON_FORBIDDEN',
    'PAYMENTS_SUBSCRIPTION_NOT_FOUND',
    'PAYMENTS_NOT_SEAT_BASED',
    'PAYMENTS_STRIPE_UNAVAILABLE',
  )
  changeSeats(
    @CurrentUser() user: UserPrincipal,
    @Param('tenantId', TenantPathPipe) tenantId: string,
    @Body() dto: ChangeSeatsDto,
  ): Promise<SubscriptionDto> {
    return this.subscriptions.changeSeats(billingPayer(user, tenantId), dto.quantity);
  }
}
