export class HourActivityDto {
  /** UTC hour of day, 0–23 @example 14 */
  hour!: number;
  /** @example 5120 */
  messages!: number;
  /** @example 731000 */
  tokens!: number;
}

export class WeekdayActivityDto {
  /** 0 = Sunday … 6 = Saturday (UTC) @example 2 */
  weekday!: number;
  /** @example Tuesday */
  name!: string;
  /** @example 15320 */
  messages!: number;
  /** @example 2100000 */
  tokens!: number;
}

/** When the tenant's members use the AI services, in UTC. */
export class UsagePatternsDto {
  /** @example hallym_univ */
  tenant_id!: string;
  /** @example 30d */
  period!: string;
  /** 24 entries, hour 0 first */
  by_hour!: HourActivityDto[];
  /** 7 entries, Sunday first */
  by_weekday!: WeekdayActivityDto[];
  /** The hour with the most messages; null without any @example 14 */
  peak_hour!: number | null;
  /** The weekday with the most messages; null without any @example 2 */
  peak_weekday!: number | null;
}
