import { IsInt, IsISO8601, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { RequestExamples } from '../../../common/swagger/request-examples.js';
import { IsTenantId } from '../../../common/validation/tenant-id.js';

export const MAX_SEATS = 1_000_000;

@RequestExamples<CreateLicenseDto>({
  schoolYear: {
    summary: 'Fifty seats for a school year',
    value: {
      tenant_id: 'hallym_univ',
      total_seats: 50,
      starts_at: '2026-03-01T00:00:00.000Z',
      expires_at: '2027-02-28T23:59:59.000Z',
    },
  },
})
export class CreateLicenseDto {
  /** The school it is for @example hallym_univ */
  @IsTenantId()
  tenant_id!: string;

  /** @example 50 */
  @IsInt()
  @Min(0)
  @Max(MAX_SEATS)
  total_seats!: number;

  /** Default now @example 2026-03-01T00:00:00.000Z */
  @IsOptional()
  @IsISO8601({ strict: true })
  starts_at?: string;

  /** After starts_at @example 2027-02-28T23:59:59.000Z */
  @IsISO8601({ strict: true })
  expires_at!: string;

  /** The plan it goes with, if any @example 7c9e6679-7425-40de-944b-e07fc1f90ae7 */
  @IsOptional()
  @IsUUID()
  plan_id?: string;
}
