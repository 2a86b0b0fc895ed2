import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { isTenantAdmin } from '../../common/auth/roles.js';
import type { UserPrincipal } from '../../common/auth/principal.js';
import { assertTenantScope } from '../../common/auth/tenant-access.js';
import { CacheInvalidation } from '../../common/cache/cache-invalidation.service.js';
import { Clock } from '../../common/clock/clock.js';
import { AppException } from '../../common/errors/app.exception.js';
import { ClassesRepository } from '../classes/classes.repository.js';
import { TenantFeatures } from '../tenants/tenant-features.service.js';
import type { AssignSeatsDto } from './dto/assign-seats.dto.js';
import { mapLicense } from './dto/license.dto.js';
import { mapSeat, type SeatAssignmentDto } from './dto/seat.dto.js';
import type { SeatAssignmentKind } from './entities/license-seat.entity.js';
import { LicensesRepository, type LicenseRow, type SeatRow } from './licenses.repository.js';
import { LicenseAudit } from './license-audit.service.js';
import { SeatAccess } from './seat-access.service.js';

interface Assigner {
  userId: string | null;
  how: SeatAssignmentKind;
}

/**
 * Taking and releasing seats. An assignment locks its license row, inserts the seats of those
 * not seated yet, and counts them with a guarded UPDATE; when they do not fit, the transaction
 * rolls back whole (nobody gets a seat) and the error says how many are missing. A student
 * seated already is counted once. Only active students of the license's school take seats.
 */
@Injectable()
export class SeatAssignments {
  private readonly logger = new Logger(SeatAssignments.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly licenses: LicensesRepository,
    private readonly classes: ClassesRepository,
    private readonly features: TenantFeatures,
    private readonly seatAccess: SeatAccess,
    private readonly invalidation: CacheInvalidation,
    private readonly licenseAudit: LicenseAudit,
    private readonly clock: Clock,
  ) {}

  async assign(
    principal: UserPrincipal,
    tenantId: string | undefined,
    licenseId: string,
    dto: AssignSeatsDto,
  ): Promise<SeatAssignmentDto> {
    assertTenantScope(principal, tenantId);
    const requested = [dto.user_id, dto.user_ids, dto.class_id].filter((v) => v !== undefined);
    if (requested.length !== 1) {
      throw new AppException(
        'COMMON_VALIDATION_FAILED',
        'Send exactly one of user_id, user_ids or class_id',
        { fields: [{ field: 'user_id', errors: ['exactly one of user_id, user_ids, class_id'] }] },
      );
    }
    const license = await this.licenses.findById(licenseId, tenantId);
    if (!license) {
      throw new AppException('LICENSE_NOT_FOUND_OR_EXPIRED');
    }
    await this.assertMayAssign(principal, license.tenant_id);
    const userIds = dto.class_id
      ? await this.studentsOfClass(principal, license.tenant_id, dto.class_id)
      : (dto.user_ids ?? [dto.user_id as string]);
    if (!isTenantAdmin(principal)) {
      await this.assertTaughtBy(principal, license.tenant_id, userIds);
    }
    await this.assertStudents(license.tenant_id, userIds);
    const how: SeatAssignmentKind = dto.class_id ? 'class' : 'admin';
    return this.take(license, userIds, {
      userId: principal.actorUserId ?? principal.userId,
      how,
    });
  }

  /**
   * A seat for a student signing in (or launching from an LMS) when the school hands them out
   * automatically and one is free. Never fails the sign-in: false when none was taken.
   */
  async claim(userId: string, tenantId: string, how: SeatAssignmentKind): Promise<boolean> {
    if (await this.seatAccess.heldSeat(userId, tenantId)) {
      return false;
    }
    const now = this.clock.now();
    for (const license of await this.licenses.licensesWithRoom(tenantId, now)) {
      try {
        const result = await this.take(license, [userId], { userId: null, how });
        if (result.assigned > 0) {
          return true;
        }
      } catch (error) {
        if (!(error instanceof AppException)) {
          this.logger.warn({ err: error, tenantId }, 'could not claim a seat at sign-in');
          return false;
        }
        // Taken by others meanwhile, or no longer live: try the next license.
      }
    }
    return false;
  }

  async release(
    principal: UserPrincipal,
    tenantId: string | undefined,
    licenseId: string,
    userId: string,
  ): Promise<void> {
    assertTenantScope(principal, tenantId);
    await this.dataSource.transaction(async (manager) => {
      const license = await this.licenses.lock(manager, licenseId, tenantId);
      if (!license) {
        throw new AppException('LICENSE_NOT_FOUND_OR_EXPIRED');
      }
      if (!(await this.licenses.deleteSeat(manager, license.id, userId))) {
        throw new AppException('LICENSE_SEAT_NOT_FOUND');
      }
      const after = await this.licenses.findById(license.id, undefined, manager);
      if (after && after.status !== license.status) {
        await this.licenseAudit.statusMoved(license, after, {
          actorType: 'user',
          actorId: principal.userId,
        });
      }
      this.invalidation.changed(manager, 'license_seat', [userId]);
    });
  }

  /**
   * A student who leaves the school gives back their seats there, one whose account goes
   * (tenantId undefined) every seat, in the caller's transaction.
   */
  async releaseAllOf(
    manager: EntityManager,
    userId: string,
    tenantId: string | undefined,
  ): Promise<void> {
    if ((await this.licenses.deleteSeatsOf(manager, userId, tenantId)) > 0) {
      this.invalidation.changed(manager, 'license_seat', [userId]);
    }
  }

  /**
   * A license read a moment ago that cannot take seats is refused without its lock (a full
   * license under a rush answers its 409s without queueing behind the assignments that fit);
   * everything else runs the one locked statement, whose guard is what decides.
   */
  private async take(
    license: LicenseRow,
    userIds: string[],
    by: Assigner,
  ): Promise<SeatAssignmentDto> {
    const now = this.clock.now();
    if (!canTakeSeats(license, now) || license.used_seats >= license.total_seats) {
      const held = await this.licenses.findSeats(license.id, userIds);
      if (held.length === userIds.length) {
        return { ...assignment(held, 0, license) };
      }
      assertAssignable(license, now);
      throw noSeats(license, userIds.length - held.length);
    }
    const result = await this.dataSource.transaction(async (manager) => {
      const taken = await this.licenses.takeSeats(manager, license.id, userIds, { ...by, at: now });
      const before = taken.before;
      if (taken.seated.length === 0) {
        return { license: before, seated: 0 };
      }
      if (!taken.counted || !before) {
        throw noSeats(before ?? license, taken.seated.length);
      }
      this.invalidation.changed(manager, 'license_seat', taken.seated);
      return { license: taken.counted, seated: taken.seated.length };
    });
    const held = await this.licenses.findSeats(license.id, userIds);
    if (result.seated === 0 && held.length < userIds.length) {
      // Nobody was seated and not everyone holds a seat: the license could not take any.
      assertAssignable(result.license, now);
    }
    return assignment(held, result.seated, result.license ?? license);
  }

  /** Admins always; teachers when the school lets them (tenant setting teachers_assign_seats). */
  private async assertMayAssign(principal: UserPrincipal, tenantId: string): Promise<void> {
    if (isTenantAdmin(principal)) {
      return;
    }
    const config = principal.role === 'teacher' ? await this.features.configOf(tenantId) : null;
    if (!config?.teachers_assign_seats) {
      throw new AppException('AUTH_FORBIDDEN', 'Your school does not let teachers assign seats');
    }
  }

  private async studentsOfClass(
    principal: UserPrincipal,
    tenantId: string,
    classId: string,
  ): Promise<string[]> {
    const students = await this.classes.studentsOf(classId, tenantId);
    if (
      students.length === 0 &&
      !(await this.classes.findById(classId, tenantId, principal.userId))
    ) {
      throw new AppException('CLASS_NOT_FOUND');
    }
    return students;
  }

  private async assertTaughtBy(
    principal: UserPrincipal,
    tenantId: string,
    userIds: string[],
  ): Promise<void> {
    const taught = await this.classes.studentsTaughtBy(principal.userId, tenantId, userIds);
    const others = userIds.filter((id) => !taught.has(id));
    if (others.length > 0) {
      throw new AppException(
        'AUTH_FORBIDDEN',
        'Teachers assign seats to students of their own classes',
        {
          user_ids: others.slice(0, 100),
        },
      );
    }
  }

  private async assertStudents(tenantId: string, userIds: string[]): Promise<void> {
    const members = await this.licenses.membershipsAmong(tenantId, userIds);
    const absent = userIds.filter((id) => members.get(id)?.status !== 'active');
    if (absent.length > 0) {
      throw new AppException('LICENSE_STUDENT_NOT_FOUND', undefined, {
        user_ids: absent.slice(0, 100),
      });
    }
    const staff = userIds.filter((id) => members.get(id)?.role !== 'student');
    if (staff.length > 0) {
      throw new AppException('LICENSE_SEATS_FOR_STUDENTS_ONLY', undefined, {
        user_ids: staff.slice(0, 100),
      });
    }
  }
}

function canTakeSeats(license: LicenseRow, now: Date): boolean {
  return (
    license.status === 'active' &&
    license.starts_at.getTime() <= now.getTime() &&
    license.expires_at.getTime() > now.getTime()
  );
}

function noSeats(license: LicenseRow, wanted: number): AppException {
  const available = Math.max(0, license.total_seats - license.used_seats);
  return new AppException('LICENSE_NO_SEATS_AVAILABLE', undefined, {
    missing: wanted - available,
    requested: wanted,
    available,
  });
}

function assignment(seats: SeatRow[], assigned: number, license: LicenseRow): SeatAssignmentDto {
  return {
    assigned,
    already_assigned: seats.length - assigned,
    seats: seats.map(mapSeat),
    license: mapLicense(license),
  };
}

/** A license that may take new seats now, or the error saying why not. */
function assertAssignable(
  license: LicenseRow | undefined,
  now: Date,
): asserts license is LicenseRow {
  if (
    !license ||
    license.status === 'expired' ||
    license.status === 'revoked' ||
    license.expires_at.getTime() <= now.getTime() ||
    license.starts_at.getTime() > now.getTime()
  ) {
    throw new AppException('LICENSE_NOT_FOUND_OR_EXPIRED');
  }
  if (license.status === 'over_allocated') {
    throw new AppException('LICENSE_OVER_ALLOCATED', undefined, {
      surplus: license.used_seats - license.total_seats,
    });
  }
}
