export class PlanEntitlementDto {
  /** @example 7c9e6679-7425-40de-944b-e07fc1f90ae7 */
  plan_id!: string;
  /** @example School Pro */
  plan_name!: string;
  /** The subscription's Stripe status: active, trialing or past_due (in its grace) */
  status!: string;
  /** Seat plans: the seats bought */
  seats!: number | null;
}

export class SeatEntitlementDto {
  license_id!: string;
  expires_at!: string;
}

/** `GET /users/me/entitlements`: what the caller has now. */
export class MyEntitlementsDto {
  /** Your own subscription, when you pay for one */
  plan!: PlanEntitlementDto | null;
  /** Your school's subscription (the school you are signed in to) */
  school_plan!: PlanEntitlementDto | null;
  /** Students: whether licensed content needs a seat (true), and the seat you hold */
  seat_required!: boolean;
  seat!: SeatEntitlementDto | null;
  /** The school's features as its plan, else its settings, have them @example {"rag": true, "chat": true, "quiz": true, "api_integration": false} */
  features!: Record<string, boolean>;
}
