import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { DomainEvent } from '../../../common/events/domain-event.js';
import { EventSubscribers } from '../../../common/events/event-subscribers.js';
import { MailService } from '../../../common/mail/mail.service.js';
import type { MailMessage } from '../../../common/mail/mail-message.js';
import { AppConfigService } from '../../../config/app-config.service.js';
import { UsersRepository } from '../../users/users.repository.js';
import { PlansRepository } from '../plans/plans.repository.js';

interface BillingEventPayload {
  buyer_user_id?: string | null;
  plan_id?: string | null;
  current_period_end?: string | null;
  quantity?: number;
  seat_based?: boolean;
  amount_due?: number;
  currency?: string;
}

/**
 * Billing mails, sent from relayed subscription events: started, trial ending, payment
 * failed, canceled. The sync writes each event once (a notice per subscription and reason),
 * and the mail job's id is the event's, so a relay that repeats itself mails nothing twice.
 */
@Injectable()
export class BillingMails implements OnModuleInit {
  constructor(
    private readonly subscribers: EventSubscribers,
    private readonly mail: MailService,
    private readonly users: UsersRepository,
    private readonly plans: PlansRepository,
    private readonly config: AppConfigService,
  ) {}

  onModuleInit(): void {
    this.subscribers.on(
      [
        'subscription.started',
        'subscription.trial_ending',
        'subscription.payment_failed',
        'subscription.canceled',
      ],
      (event) => this.send(event),
    );
  }

  private async send(event: DomainEvent): Promise<void> {
    const payload = event.payload as BillingEventPayload;
    const buyer = payload.buyer_user_id ? await this.users.findById(payload.buyer_user_id) : null;
    if (!buyer?.email) {
      return;
    }
    const plan = payload.plan_id ? await this.plans.findById(payload.plan_id) : undefined;
    const message = this.compose(event.type, payload, plan?.name ?? 'your plan');
    if (message) {
      await this.mail.send({ to: buyer.email, ...message }, { dedupeId: `billing-${event.id}` });
    }
  }

  private compose(
    type: DomainEvent['type'],
    payload: BillingEventPayload,
    planName: string,
  ): Omit<MailMessage, 'to'> | undefined {
    const frontend = this.config.get('FRONTEND_URL').replace(/\/$/, '');
    const portal = `${frontend}/billing/portal`;
    const periodEnd = payload.current_period_end?.slice(0, 10) ?? 'the end of the period';
    const seats = payload.seat_based ? ` for ${payload.quantity} seats` : '';
    const mails: Partial<Record<DomainEvent['type'], Omit<MailMessage, 'to'>>> = {
      'subscription.started': {
        subject: `Your DreamSeed ${planName} subscription has started`,
        text: `Thank you: ${planName} is active${seats}.\nNext billing date: ${periodEnd}.\nManage it in the customer portal: ${portal}\n`,
      },
      'subscription.trial_ending': {
        subject: `Your DreamSeed ${planName} trial ends soon`,
        text: `Your trial of ${planName} ends on ${periodEnd}; the first payment follows.\nManage it in the customer portal: ${portal}\n`,
      },
      'subscription.payment_failed': {
        subject: `We could not take the payment for DreamSeed ${planName}`,
        text: `The payment for ${planName} failed. Please update your payment method in the customer portal: ${portal}\nStripe will try again over the next days.\n`,
      },
      'subscription.canceled': {
        subject: `Your DreamSeed ${planName} subscription has ended`,
        text: `${planName} has ended. You can subscribe again at any time: ${frontend}/billing\n`,
      },
    };
    return mails[type];
  }
}
