import { Controller, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Audited } from '../../../common/audit/audited.decorator.js';
import { Access } from '../../../common/auth/access.decorator.js';
import { ApiErrors } from '../../../common/errors/api-errors.decorator.js';
import { AppException } from '../../../common/errors/app.exception.js';
import { askStripe } from '../stripe/stripe-errors.js';
import {
  ListStripeEventsQueryDto,
  ReconciliationReportDto,
  StripeEventDto,
} from '../dto/stripe-event.dto.js';
import { PaymentsRoute } from '../payments-route.decorator.js';
import { Reconciliation } from '../reconciliation/reconciliation.service.js';
import { StripeEventsAdmin } from './stripe-events-admin.service.js';

const EVENT_ID = /^evt_[A-Za-z0-9_]{1,250}$/;

@ApiTags('payments')
@PaymentsRoute()
@Access({ roles: ['super_admin'], impersonation: 'refused' })
@Controller('admin/payments')
export class AdminPaymentsController {
  constructor(
    private readonly events: StripeEventsAdmin,
    private readonly reconciliation: Reconciliation,
  ) {}

  @Get('events')
  @ApiOperation({
    summary: 'Stored Stripe events by state (default: failed), newest first (super admins)',
  })
  @ApiOkResponse({ type: [StripeEventDto] })
  @ApiErrors('AUTH_FORBIDDEN')
  list(@Query() query: ListStripeEventsQueryDto): Promise<StripeEventDto[]> {
    return this.events.list(query.status, query.limit);
  }

  @Post('events/:id/retry')
  @HttpCode(HttpStatus.OK)
  @Audited({ action: 'payments.event_retried', resource: 'stripe_event' })
  @ApiOperation({ summary: 'Process a failed Stripe event again (super admins)' })
  @ApiOkResponse({ type: StripeEventDto })
  @ApiErrors('AUTH_FORBIDDEN', 'PAYMENTS_EVENT_NOT_FOUND')
  retry(@Param('id') id: string): Promise<StripeEventDto> {
    if (!EVENT_ID.test(id)) {
      throw new AppException('PAYMENTS_EVENT_NOT_FOUND');
    }
    return this.events.retry(id);
  }

  @Post('reconcile')
  @HttpCode(HttpStatus.OK)
  @Audited({ action: 'payments.reconciled', resource: 'payments' })
  @ApiOperation({
    summary: 'Reconcile with Stripe now (super admins; it also runs on a schedule)',
    description:
      'Re-reads every subscription that has not ended, and stores and processes the events Stripe could not deliver since the last run.',
  })
  @ApiOkResponse({ type: ReconciliationReportDto })
  @ApiErrors('AUTH_FORBIDDEN', 'PAYMENTS_STRIPE_UNAVAILABLE')
  reconcile(): Promise<ReconciliationReportDto> {
    return askStripe(() => this.reconciliation.run());
  }
}
