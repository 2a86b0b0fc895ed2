import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { registerErrorCodes } from '../../common/errors/error-codes.js';
import { MailModule } from '../../common/mail/mail.module.js';
import { QueueModule } from '../../common/queue/queue.module.js';
import { TenantsModule } from '../tenants/tenants.module.js';
import { UsersModule } from '../users/users.module.js';
import { BillingCustomersRepository } from './checkout/billing-customers.repository.js';
import { CheckoutService } from './checkout/checkout.service.js';
import { PaymentsController } from './checkout/payments.controller.js';
import { BillingCustomer } from './entities/billing-customer.entity.js';
import { BillingNotice } from './entities/billing-notice.entity.js';
import { PaymentTransaction } from './entities/payment-transaction.entity.js';
import { PaymentsState } from './entities/payments-state.entity.js';
import { PlanPrice } from './entities/plan-price.entity.js';
import { StripeEvent } from './entities/stripe-event.entity.js';
import { SubscriptionPlan } from './entities/subscription-plan.entity.js';
import { Subscription } from './entities/subscription.entity.js';
import { PAYMENT_ERROR_CODES } from './payments.errors.js';
import { PaymentsMetrics } from './payments.metrics.js';
import { AdminPlansController } from './plans/admin-plans.controller.js';
import { PlansController } from './plans/plans.controller.js';
import { PlansRepository } from './plans/plans.repository.js';
import { PlansService } from './plans/plans.service.js';
import { ReconciliationProcessor } from './reconciliation/reconciliation.processor.js';
import { Reconciliation } from './reconciliation/reconciliation.service.js';
import { stripeClientProvider } from './stripe/stripe-client.provider.js';
import { BillingMails } from './subscriptions/billing-mails.service.js';
import { MySubscriptionController } from './subscriptions/my-subscription.controller.js';
import { PaymentTransactionsRepository } from './subscriptions/payment-transactions.repository.js';
import { SubscriptionSync } from './subscriptions/subscription-sync.service.js';
import { SubscriptionsRepository } from './subscriptions/subscriptions.repository.js';
import { SubscriptionsService } from './subscriptions/subscriptions.service.js';
import { TenantSubscriptionController } from './subscriptions/tenant-subscription.controller.js';
import { AdminPaymentsController } from './webhooks/admin-payments.controller.js';
import { StripeEventInbox } from './webhooks/stripe-event-inbox.service.js';
import { StripeEventHandler } from './webhooks/stripe-event-handler.service.js';
import { StripeEventRelay } from './webhooks/stripe-event-relay.service.js';
import { StripeEventsAdmin } from './webhooks/stripe-events-admin.service.js';
import { StripeEventsProcessor } from './webhooks/stripe-events.processor.js';
import { StripeEventsRepository } from './webhooks/stripe-events.repository.js';
import { StripeWebhookController } from './webhooks/stripe-webhook.controller.js';
import { StripeWebhookService } from './webhooks/stripe-webhook.service.js';

registerErrorCodes(PAYMENT_ERROR_CODES);

/**
 * Payments with Stripe: plans, checkout, the customer portal, subscriptions, the webhook
 * (stored first, processed from the `stripe-events` queue) and reconciliation. Entitlements,
 * which the rest of the app reads, live in the global EntitlementsModule. Without
 * STRIPE_SECRET_KEY every route here answers 404 PAYMENTS_DISABLED and no worker starts.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([
      SubscriptionPlan,
      PlanPrice,
      BillingCustomer,
      Subscription,
      PaymentTransaction,
      StripeEvent,
      BillingNotice,
      PaymentsState,
    ]),
    QueueModule,
    MailModule,
    UsersModule,
    TenantsModule,
  ],
  controllers: [
    PlansController,
    AdminPlansController,
    PaymentsController,
    MySubscriptionController,
    TenantSubscriptionController,
    StripeWebhookController,
    AdminPaymentsController,
  ],
  providers: [
    stripeClientProvider,
    PaymentsMetrics,
    PlansRepository,
    PlansService,
    BillingCustomersRepository,
    CheckoutService,
    SubscriptionsRepository,
    PaymentTransactionsRepository,
    SubscriptionSync,
    SubscriptionsService,
    BillingMails,
    StripeEventsRepository,
    StripeEventRelay,
    StripeEventInbox,
    StripeWebhookService,
    StripeEventHandler,
    StripeEventsProcessor,
    StripeEventsAdmin,
    Reconciliation,
    ReconciliationProcessor,
  ],
})
export class PaymentsModule {}
