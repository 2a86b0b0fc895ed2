import { IsOptional, IsString, IsUUID, Length } from 'class-validator';
import { UserProfileDto } from '../../users/dto/user.dto.js';
import { IsTenantId } from '../../../common/validation/tenant-id.js';

export class ImpersonateDto {
  @IsUUID('all')
  user_id!: string;

  /** Why (kept in the audit trail). @example "Ticket 4521: the pupil cannot see her class" */
  @IsString()
  @Length(5, 500)
  reason!: string;

  /** Super admins: the tenant to act in (default: the user's first active membership). @example hallym_univ */
  @IsOptional()
  @IsTenantId()
  tenant_id?: string;
}

export class ImpersonationTokenDto {
  /** Acts as the user for at most 30 minutes; carries `act.sub` = you. No refresh token. */
  access_token!: string;
  /** @example bearer */
  token_type!: 'bearer';
  /** @example 1800 */
  expires_in!: number;
  /** The real actor */
  actor_id!: string;
  user!: UserProfileDto;
}
