/**
 * Where a signed-in caller's own request budget per hour comes from (a subscriber's plan, in
 * payments); undefined: the configured default applies.
 */
export abstract class RequestBudgets {
  abstract perHour(userId: string, tenantId: string | null): Promise<number | undefined>;
}
