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

/** `GET /mt/tenant/{id}/usage`: where the tenant stands against its limits. */
export class TenantUsageDto {
  tenant_id!: string;
  users!: UsersAgainstLimitDto;
  tokens!: TokensAgainstLimitsDto;
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
  /** Limits reached or passed now, e.g. ["daily_tokens"] */
  reached!: Array<'max_users' | 'daily_tokens' | 'monthly_tokens'>;
}
