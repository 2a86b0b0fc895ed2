import { Injectable } from '@nestjs/common';
import type { UserPrincipal } from '../../common/auth/principal.js';
import { AppException } from '../../common/errors/app.exception.js';
import { Entitlements, type Entitlement } from '../payments/entitlements/entitlements.service.js';
import { TenantFeatures } from '../tenants/tenant-features.service.js';
import { TENANT_FEATURES } from '../tenants/tenant-settings.js';
import { mapLicense } from './dto/license.dto.js';
import type { MyEntitlementsDto, PlanEntitlementDto } from './dto/my-entitlements.dto.js';
import { mapSeat, type MyLicenseDto } from './dto/seat.dto.js';
import { LicensesRepository, type HeldSeat } from './licenses.repository.js';
import { SeatAccess } from './seat-access.service.js';

/** What a signed-in person has: plans, seat, features. */
@Injectable()
export class MyEntitlements {
  constructor(
    private readonly entitlements: Entitlements,
    private readonly features: TenantFeatures,
    private readonly seatAccess: SeatAccess,
    private readonly licenses: LicensesRepository,
  ) {}

  async of(principal: UserPrincipal): Promise<MyEntitlementsDto> {
    const tenantId = principal.tenantId;
    const isStudent = tenantId !== null && principal.role === 'student';
    const [own, school, config, seat] = await Promise.all([
      this.entitlements.forUser(principal.userId),
      tenantId ? this.entitlements.forTenant(tenantId) : null,
      tenantId ? this.features.configOf(tenantId) : null,
      isStudent && tenantId ? this.seatAccess.heldSeat(principal.userId, tenantId) : undefined,
    ]);
    const features = config
      ? Object.fromEntries(
          TENANT_FEATURES.map((name) => [name, school?.features[name] ?? config.features[name]]),
        )
      : {};
    return {
      plan: planOf(own),
      school_plan: planOf(school),
      seat_required: isStudent,
      seat: seat
        ? { license_id: seat.license_id, expires_at: seat.expires_at.toISOString() }
        : null,
      features,
    };
  }

  /** The seat the guard found (it ran first on this route), with its license. */
  async license(principal: UserPrincipal, seat: HeldSeat | null): Promise<MyLicenseDto> {
    const found = seat
      ? await this.licenses.seatWithLicense(seat.license_id, principal.userId)
      : undefined;
    if (!found) {
      throw new AppException('LICENSE_SEAT_REQUIRED');
    }
    return { seat: mapSeat(found.seat), license: mapLicense(found.license) };
  }
}

function planOf(entitlement: Entitlement | null): PlanEntitlementDto | null {
  return entitlement
    ? {
        plan_id: entitlement.planId,
        plan_name: entitlement.planName,
        status: entitlement.status,
        seats: entitlement.seats,
      }
    : null;
}
