/**
 * The account events other services follow, the tenant events the Service Market is told about,
 * the subscription events billing mails and licenses follow, and the license events school
 * admins are mailed about. The payload
 * never holds secrets: ids, email, names, field names.
 */
export const DOMAIN_EVENT_TYPES = [
  'user.created',
  'user.updated',
  'user.deleted',
  'user.logged_in',
  'user.logged_out',
  'user.password_changed',
  'tenant.activated',
  'tenant.deactivated',
  'tenant.limit_reached',
  'subscription.started',
  'subscription.changed',
  'subscription.trial_ending',
  'subscription.payment_failed',
  'subscription.canceled',
  'license.over_allocated',
  'license.expiring',
] as const;

export type DomainEventType = (typeof DOMAIN_EVENT_TYPES)[number];

export interface DomainEvent {
  id: string;
  type: DomainEventType;
  version: string;
  aggregateId: string;
  occurredAt: string;
  payload: Record<string, unknown>;
}
