import { Controller, Headers, HttpCode, HttpStatus, Post, Req } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { NotAudited } from '../../../common/audit/audited.decorator.js';
import { Access } from '../../../common/auth/access.decorator.js';
import { ApiErrors } from '../../../common/errors/api-errors.decorator.js';
import { SkipAllThrottles } from '../../../common/throttling/skip-all-throttles.decorator.js';
import { WebhookReceiptDto } from '../dto/webhook-receipt.dto.js';
import { PaymentsRoute } from '../payments-route.decorator.js';
import { StripeWebhookService } from './stripe-webhook.service.js';

@ApiTags('payments')
@PaymentsRoute()
@Controller('webhooks/stripe')
export class StripeWebhookController {
  constructor(private readonly webhooks: StripeWebhookService) {}

  @Post()
  @HttpCode(HttpStatus.OK)
  @Access.public()
  // Stripe retries for days with backoff; a rate limit would only turn deliveries into retries.
  @SkipAllThrottles()
  // Every verified event is kept in stripe_events; an audit copy of each body would be noise.
  @NotAudited()
  @ApiOperation({
    summary: 'Stripe webhook endpoint (called by Stripe)',
    description:
      'Verifies Stripe-Signature against the raw body with each secret of STRIPE_WEBHOOK_SECRETS (300 s tolerance), stores the event once, answers 200 at once and processes it from the stripe-events queue. Unknown event types are stored and acknowledged.',
  })
  @ApiHeader({ name: 'Stripe-Signature', required: true })
  @ApiOkResponse({ type: WebhookReceiptDto })
  @ApiErrors('PAYMENTS_WEBHOOK_SIGNATURE_INVALID', 'COMMON_VALIDATION_FAILED')
  receive(
    @Req() request: FastifyRequest,
    @Headers('stripe-signature') signature: string | undefined,
  ): Promise<WebhookReceiptDto> {
    return this.webhooks.receive(request.rawBody, signature);
  }
}
