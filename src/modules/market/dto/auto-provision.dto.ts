import { Matches } from 'class-validator';
import { ActivateTenantDto } from './tenant-lifecycle.dto.js';

/** The old provisioning webhook's body: the activation, with the tenant id inside. */
export class AutoProvisionDto extends ActivateTenantDto {
  /** @example hallym_univ */
  @Matches(/^[a-z0-9][a-z0-9_-]{1,62}$/, { message: 'tenant_id must be a tenant id' })
  tenant_id!: string;
}
