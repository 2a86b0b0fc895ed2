import { Body, Controller, Get, HttpCode, HttpStatus, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Audited } from '../../../common/audit/audited.decorator.js';
import { Access } from '../../../common/auth/access.decorator.js';
import { CurrentUser } from '../../../common/auth/current-user.decorator.js';
import type { UserPrincipal } from '../../../common/auth/principal.js';
import { ApiErrors } from '../../../common/errors/api-errors.decorator.js';
import { billingPayer } from '../billing-scope.js';
import {
  BillingScopeDto,
  CheckoutSessionDto,
  CreateCheckoutSessionDto,
  PortalSessionDto,
} from '../dto/checkout.dto.js';
import { InvoicePageDto, ListInvoicesQueryDto } from '../dto/invoice.dto.js';
import { PaymentsRoute } from '../payments-route.decorator.js';
import { SubscriptionsService } from '../subscriptions/subscriptions.service.js';
import { CheckoutService } from './checkout.service.js';

@ApiTags('payments')
@PaymentsRoute()
@Controller('payments')
export class PaymentsController {
  constructor(
    private readonly checkout: CheckoutService,
    private readonly subscriptions: SubscriptionsService,
  ) {}

  @Post('checkout-sessions')
  @Access({ roles: [], impersonation: 'refused' })
  @Audited({ action: 'payments.checkout_started', resource: 'plan' })
  @ApiOperation({
    summary: 'Start a Stripe Checkout for a plan',
    description:
      'Individual plans: any signed-in user, for themselves. School plans: an admin of the school they are signed in to, for the school; seat plans take `quantity` seats. A double click within a minute gets the same session. 409 PAYMENTS_ALREADY_SUBSCRIBED when the payer already has a live subscription to the plan (use the customer portal).',
  })
  @ApiCreatedResponse({ type: CheckoutSessionDto })
  @ApiErrors(
    'AUTH_IMPERSONATION_FORBIDDEN',
    'PAYMENTS_PLAN_NOT_FOUND',
    'PAYMENTS_PLAN_INACTIVE',
    'PAYMENTS_SCHOOL_PLAN_ADMINS_ONLY',
    'PAYMENTS_QUANTITY_INVALID',
    'PAYMENTS_ALREADY_SUBSCRIBED',
    'PAYMENTS_STRIPE_UNAVAILABLE',
  )
  createCheckoutSession(
    @CurrentUser() user: UserPrincipal,
    @Body() dto: CreateCheckoutSessionDto,
  ): Promise<CheckoutSessionDto> {
    return this.checkout.createCheckoutSession(user, dto);
  }

  @Post('portal-sessions')
  @HttpCode(HttpStatus.CREATED)
  @Access({ roles: [], impersonation: 'refused' })
  @ApiOperation({
    summary: 'Open the Stripe customer portal (payment method, plan, invoices, cancel)',
    description: "Yours, or with tenant_id a school's, for its admins and super admins.",
  })
  @ApiCreatedResponse({ type: PortalSessionDto })
  @ApiErrors(
    'AUTH_IMPERSONATION_FORBIDDEN',
    'COMMON_FORBIDDEN',
    'PAYMENTS_NO_CUSTOMER',
    'PAYMENTS_STRIPE_UNAVAILABLE',
  )
  createPortalSession(
    @CurrentUser() user: UserPrincipal,
    @Body() dto: BillingScopeDto,
  ): Promise<PortalSessionDto> {
    return this.checkout.createPortalSession(billingPayer(user, dto.tenant_id));
  }

  @Get('invoices')
  @Access({ roles: [] })
  @ApiOperation({
    summary: 'Invoices, newest first, with Stripe hosted pages and PDFs',
    description: "Yours, or with tenant_id a school's, for its admins and super admins.",
  })
  @ApiOkResponse({ type: InvoicePageDto })
  @ApiErrors('COMMON_FORBIDDEN', 'PAYMENTS_STRIPE_UNAVAILABLE')
  invoices(
    @CurrentUser() user: UserPrincipal,
    @Query() query: ListInvoicesQueryDto,
  ): Promise<InvoicePageDto> {
    return this.subscriptions.invoices(billingPayer(user, query.tenant_id), query);
  }
}
