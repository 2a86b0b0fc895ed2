import type { JobsOptions } from 'bullmq';
import type { DomainEvent } from '../events/domain-event.js';
import type { MailMessage } from '../mail/mail-message.js';

export const MAIL_QUEUE = 'mail';
export const EVENTS_QUEUE = 'events';
export const MARKET_CALLBACKS_QUEUE = 'market-callbacks';
/** Mails asked for by address (reset, verification): the account lookup runs in the job. */
export const ACCOUNT_MAILS_QUEUE = 'account-mails';
/** Verified Stripe events, processed once each (payments). */
export const STRIPE_EVENTS_QUEUE = 'stripe-events';
/** Repeatable payment jobs: reconciliation with Stripe. */
export const PAYMENTS_MAINTENANCE_QUEUE = 'payments-maintenance';
/** Repeatable license jobs: expiry and the reminders before it. */
export const LICENSES_MAINTENANCE_QUEUE = 'licenses-maintenance';
/** LTI Advantage: roster syncs, score publications, the nightly roster run. */
export const LTI_QUEUE = 'lti';

/** Every queue the app registers; each is connected before the app serves. */
export const QUEUE_NAMES = [
  MAIL_QUEUE,
  EVENTS_QUEUE,
  MARKET_CALLBACKS_QUEUE,
  ACCOUNT_MAILS_QUEUE,
  STRIPE_EVENTS_QUEUE,
  PAYMENTS_MAINTENANCE_QUEUE,
  LICENSES_MAINTENANCE_QUEUE,
  LTI_QUEUE,
] as const;

export interface RequestedMail {
  email: string;
}

/** Job name -> payload, per queue: producers and processors share these types. */
export interface QueueJobs {
  [MAIL_QUEUE]: { send: MailMessage };
  /** A batch of relayed outbox events (jobs from before batching carry one event alone). */
  [EVENTS_QUEUE]: { publish: { events: DomainEvent[] } };
  [MARKET_CALLBACKS_QUEUE]: { notify: DomainEvent };
  [ACCOUNT_MAILS_QUEUE]: { 'password-reset': RequestedMail; verification: RequestedMail };
  [STRIPE_EVENTS_QUEUE]: { process: { eventIds: string[] } };
  [PAYMENTS_MAINTENANCE_QUEUE]: { reconcile: Record<string, never> };
  [LICENSES_MAINTENANCE_QUEUE]: { 'check-expiry': Record<string, never> };
  [LTI_QUEUE]: {
    'roster-sync': { syncId: string };
    'publish-score': { scoreId: string };
    'nightly-rosters': Record<string, never>;
    'sweep-scores': Record<string, never>;
  };
}

export type JobName<Q extends keyof QueueJobs> = keyof QueueJobs[Q] & string;
export type JobPayload<Q extends keyof QueueJobs, N extends JobName<Q>> = QueueJobs[Q][N];

/**
 * Retries with exponential backoff; failed jobs stay for inspection (never silently lost).
 * Completed jobs are kept a while for inspection and for job-id dedupe; on the PostgreSQL
 * backend every completion trims them with a sort over all kept, so busy queues keep fewer.
 */
export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 2000 },
  removeOnComplete: { age: 7 * 24 * 3600, count: 10000 },
  removeOnFail: false,
};
