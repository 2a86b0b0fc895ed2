import { Injectable } from '@nestjs/common';
import { CacheInvalidation } from '../../common/cache/cache-invalidation.service.js';
import { TtlCache } from '../../common/cache/ttl-cache.js';
import { Clock } from '../../common/clock/clock.js';
import { LicensesRepository, type HeldSeat } from './licenses.repository.js';

/** How long an instance that missed a change may keep granting (or refusing) what was. */
const SEAT_CACHE_TTL_MS = 5000;

/**
 * The one answer to "does this student hold a seat that grants access now?". A student's
 * seats on live licenses are cached for 5 s and dropped on every instance when an assignment,
 * a release or a change to their license commits; the term is checked on each read, so an
 * expiry takes effect at once, before the expiry job marks the license.
 */
@Injectable()
export class SeatAccess {
  private readonly cache = new TtlCache<HeldSeat[]>(SEAT_CACHE_TTL_MS);

  constructor(
    private readonly licenses: LicensesRepository,
    private readonly clock: Clock,
    invalidation: CacheInvalidation,
  ) {
    invalidation.on('license_seat', (userIds) => this.cache.drop(userIds));
  }

  async heldSeat(userId: string, tenantId: string): Promise<HeldSeat | undefined> {
    const seats = await this.cache.get(userId, () => this.licenses.liveSeatsOf(userId));
    const now = this.clock.now().getTime();
    return seats.find(
      (seat) =>
        seat.tenant_id === tenantId &&
        seat.starts_at.getTime() <= now &&
        seat.expires_at.getTime() > now,
    );
  }
}
