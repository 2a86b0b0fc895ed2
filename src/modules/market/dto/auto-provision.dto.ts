import { IsTenantId } from '../../../common/validation/tenant-id.js';
import { ActivateTenantDto } from './tenant-lifecycle.dto.js';

/** The old provisioning webhook's body: the activation, with the tenant id inside. */
export class AutoProvisionDto extends ActivateTenantDto {
  /** @example hallym_univ */
  @IsTenantId()
  tenant_id!: string;
}
