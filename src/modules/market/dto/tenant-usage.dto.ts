export class UsersAgainstLimitDto {
  /** Members now (active and suspended) */
  current!: number;
  /** `max_users`; null: no limit */
  max!: number | null;
}

export class TokensAgainstLimitsDto {
  /** Input + output tokens today (UTC) */
  today!: number;
  daily_limit!: number | null;
  /** This calendar month (UTC) */
  this_month!: number;
  monthly_limit!: number | null;
}

/** The tenant's live seat licenses together (active or over-allocated, not expired). */
export class LicenseSeatsDto {
  /** Seats of all live licenses */
  total_seats!: number;
  /** Seats assigned (may exceed total_seats on an over-allocated license) */
  used_seats!: number;
  /** Seats still free, never below 0 */
  available_seats!: number;
  /** When the first live license ends (ISO 8601); null: no live license */
  next_expiry!: string | null;
}

/** `GET /mt/tenant/{id}/usage`: where the tenant stands against its limits. */
export class TenantUsageDto {
  tenant_id!: string;
  users!: UsersAgainstLimitDto;
  tokens!: TokensAgainstLimitsDto;
  licenses!: LicenseSeatsDto;
  as_of!: string;
}

export class TenantLimitsValuesDto {
  max_users!: number | null;
  max_storage_mb!: number | null;
  daily_tokens!: number | null;
  monthly_tokens!: number | null;
  max_file_size_mb!: number | null;
}

/** `GET /mt/tenant/{id}/limits`: the limits, what is used of them, and which are reached. */
export class TenantLimitsDto {
  tenant_id!: string;
  limits!: TenantLimitsValuesDto;
  usage!: { users: number; tokens_today: number; tokens_this_month: number };
  licenses!: LicenseSeatsDto;
  /** Limits reached or passed now, e.g. ["daily_tokens"]; "seats": every licensed seat taken */
  reached!: Array<'max_users' | 'daily_tokens' | 'monthly_tokens' | 'seats'>;
}
