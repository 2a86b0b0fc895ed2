import { Controller, Get, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Audited } from '../../../common/audit/audited.decorator.js';
import { Access } from '../../../common/auth/access.decorator.js';
import { CurrentUser } from '../../../common/auth/current-user.decorator.js';
import type { UserPrincipal } from '../../../common/auth/principal.js';
import { ApiErrors } from '../../../common/errors/api-errors.decorator.js';
import { SubscriptionDto } from '../dto/subscription.dto.js';
import { PaymentsRoute } from '../payments-route.decorator.js';
import { SubscriptionsService } from './subscriptions.service.js';

@ApiTags('payments')
@PaymentsRoute()
@Access({ roles: [] })
@Controller('subscriptions/me')
export class MySubscriptionController {
  constructor(private readonly subscriptions: SubscriptionsService) {}

  @Get()
  @ApiOperation({ summary: 'Your own subscription: the live one, else the latest you had' })
  @ApiOkResponse({ type: SubscriptionDto })
  @ApiErrors('PAYMENTS_SUBSCRIPTION_NOT_FOUND')
  get(@CurrentUser() user: UserPrincipal): Promise<SubscriptionDto> {
    return this.subscriptions.current({ kind: 'user', id: user.userId });
  }

  @Post('cancel')
  @HttpCode(HttpStatus.OK)
  @Access({ roles: [], impersonation: 'refused' })
  @Audited({ action: 'subscription.cancel_requested', resource: 'subscription' })
  @ApiOperation({ summary: 'Cancel at the end of the current period (through Stripe)' })
  @ApiOkResponse({ type: SubscriptionDto })
  @ApiErrors(
    'AUTH_IMPERSONATION_FORBIDDEN',
    'PAYMENTS_SUBSCRIPTION_NOT_FOUND',
    'PAYMENTS_STRIPE_UNAVAILABLE',
  )
  cancel(@CurrentUser() user: UserPrincipal): Promise<SubscriptionDto> {
    return this.subscriptions.cancelAtPeriodEnd({ kind: 'user', id: user.userId });
  }

  @Post('resume')
  @HttpCode(HttpStatus.OK)
  @Access({ roles: [], impersonation: 'refused' })
  @Audited({ action: 'subscription.resumed', resource: 'subscription' })
  @ApiOperation({ summary: 'Keep a subscription set to cancel at period end' })
  @ApiOkResponse({ type: SubscriptionDto })
  @ApiErrors(
    'AUTH_IMPERSONATION_FORBIDDEN',
    'PAYMENTS_SUBSCRIPTION_NOT_FOUND',
    'PAYMENTS_STRIPE_UNAVAILABLE',
  )
  resume(@CurrentUser() user: UserPrincipal): Promise<SubscriptionDto> {
    return this.subscriptions.resume({ kind: 'user', id: user.userId });
  }
}
