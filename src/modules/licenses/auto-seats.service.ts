import { Injectable, Logger } from '@nestjs/common';
import type { SignInSeats } from '../../common/auth/sign-in-seats.js';
import { TenantFeatures } from '../tenants/tenant-features.service.js';
import { SeatAssignments } from './seat-assignments.service.js';

/** A sign-in waits this long at most for its seat; a slower claim finishes after it answers. */
const SIGN_IN_WAIT_MS = 1000;

/** Seats taken at sign-in when the tenant setting auto_assign_seats is on. */
@Injectable()
export class AutoSeats implements SignInSeats {
  private readonly logger = new Logger(AutoSeats.name);

  constructor(
    private readonly features: TenantFeatures,
    private readonly seats: SeatAssignments,
  ) {}

  async claim(userId: string, tenantId: string): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, SIGN_IN_WAIT_MS);
      timer.unref();
    });
    await Promise.race([this.tryClaim(userId, tenantId), waited]);
    clearTimeout(timer);
  }

  private async tryClaim(userId: string, tenantId: string): Promise<void> {
    try {
      const config = await this.features.configOf(tenantId);
      if (config?.auto_assign_seats) {
        await this.seats.claim(userId, tenantId, 'auto');
      }
    } catch (error) {
      this.logger.warn({ err: error, tenant_id: tenantId }, 'no seat claimed at sign-in');
    }
  }
}
