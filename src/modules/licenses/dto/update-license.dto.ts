import { IsBoolean, IsInt, IsISO8601, IsOptional, Max, Min } from 'class-validator';
import { MAX_SEATS } from './create-license.dto.js';

/** Only the fields sent change. Fewer seats than are taken makes the license over_allocated. */
export class UpdateLicenseDto {
  /** @example 60 */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_SEATS)
  total_seats?: number;

  /** A later expiry renews an expired license with the same seats @example 2028-02-29T23:59:59.000Z */
  @IsOptional()
  @IsISO8601({ strict: true })
  expires_at?: string;

  /** true revokes (its seats stop granting access); false restores it */
  @IsOptional()
  @IsBoolean()
  revoked?: boolean;
}
