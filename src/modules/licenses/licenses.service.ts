import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { noteAuditTarget } from '../../common/audit/audit-target.js';
import type { UserPrincipal } from '../../common/auth/principal.js';
import { isTenantAdmin } from '../../common/auth/roles.js';
import { assertTenantScope } from '../../common/auth/tenant-access.js';
import { CacheInvalidation } from '../../common/cache/cache-invalidation.service.js';
import { Clock } from '../../common/clock/clock.js';
import { isForeignKeyViolation, unknownReference } from '../../common/database/sql.js';
import { AppException } from '../../common/errors/app.exception.js';
import { OutboxService } from '../../common/events/outbox.service.js';
import { ClassesRepository } from '../classes/classes.repository.js';
import { TenantFeatures } from '../tenants/tenant-features.service.js';
import { UsersRepository } from '../users/users.repository.js';
import type { CreateLicenseDto } from './dto/create-license.dto.js';
import { mapLicense, type LicenseDto, type LicensePageDto } from './dto/license.dto.js';
import { mapSeat, type SeatPageDto } from './dto/seat.dto.js';
import type { UpdateLicenseDto } from './dto/update-license.dto.js';
import { LicenseAudit } from './license-audit.service.js';
import { announceStatusChange } from './license-events.js';
import { LicensesRepository } from './licenses.repository.js';

/**
 * Licenses as super admins make and change them, and as school admins read them. Every method
 * takes the tenant in scope (undefined: every tenant, for super admins); a license of another
 * school is as absent as a missing one.
 */
@Injectable()
export class LicensesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly licenses: LicensesRepository,
    private readonly users: UsersRepository,
    private readonly classes: ClassesRepository,
    private readonly features: TenantFeatures,
    private readonly outbox: OutboxService,
    private readonly invalidation: CacheInvalidation,
    private readonly licenseAudit: LicenseAudit,
    private readonly clock: Clock,
  ) {}

  async create(principal: UserPrincipal, dto: CreateLicenseDto): Promise<LicenseDto> {
    const startsAt = dto.starts_at ? new Date(dto.starts_at) : this.clock.now();
    const expiresAt = new Date(dto.expires_at);
    assertTerm(startsAt, expiresAt);
    try {
      const row = await this.dataSource.transaction((manager) =>
        this.licenses.insert(manager, {
          tenantId: dto.tenant_id,
          planId: dto.plan_id ?? null,
          totalSeats: dto.total_seats,
          startsAt,
          expiresAt,
          source: 'manual',
          createdBy: principal.actorUserId ?? principal.userId,
        }),
      );
      noteAuditTarget({ tenantId: row.tenant_id });
      return mapLicense(row);
    } catch (error) {
      if (isForeignKeyViolation(error, 'fk_school_licenses_tenant')) {
        throw unknownReference('tenant_id', 'tenant');
      }
      if (isForeignKeyViolation(error, 'fk_school_licenses_plan')) {
        throw unknownReference('plan_id', 'plan');
      }
      throw error;
    }
  }

  async list(
    principal: UserPrincipal,
    tenantId: string | undefined,
    page: { limit?: number; offset?: number },
  ): Promise<LicensePageDto> {
    assertTenantScope(principal, tenantId);
    const limit = page.limit ?? 20;
    const offset = page.offset ?? 0;
    const { rows, total } = await this.licenses.list(tenantId, { limit, offset });
    return { items: rows.map(mapLicense), total, limit, offset };
  }

  /** Admins; teachers too when their school lets them assign seats (they see the counts). */
  async get(
    principal: UserPrincipal,
    tenantId: string | undefined,
    id: string,
  ): Promise<LicenseDto> {
    assertTenantScope(principal, tenantId);
    const row = await this.licenses.findById(id, tenantId);
    if (!row) {
      throw new AppException('LICENSE_NOT_FOUND_OR_EXPIRED');
    }
    if (!isTenantAdmin(principal)) {
      const config = await this.features.configOf(row.tenant_id);
      if (!config?.teachers_assign_seats) {
        throw new AppException('AUTH_FORBIDDEN', 'Only school admins read licenses');
      }
    }
    return mapLicense(row);
  }

  /** Seats, term, revocation. A license that follows Stripe takes its seats and term from there. */
  async update(principal: UserPrincipal, id: string, dto: UpdateLicenseDto): Promise<LicenseDto> {
    if (
      dto.total_seats === undefined &&
      dto.expires_at === undefined &&
      dto.revoked === undefined
    ) {
      throw new AppException('COMMON_VALIDATION_FAILED', 'Nothing to change', { fields: [] });
    }
    const now = this.clock.now();
    const row = await this.dataSource.transaction(async (manager) => {
      const license = await this.licenses.lock(manager, id);
      if (!license) {
        throw new AppException('LICENSE_NOT_FOUND_OR_EXPIRED');
      }
      if (license.source !== 'manual' && (dto.total_seats !== undefined || dto.expires_at)) {
        throw new AppException('LICENSE_MANAGED_BY_STRIPE');
      }
      const expiresAt = dto.expires_at ? new Date(dto.expires_at) : undefined;
      if (expiresAt) {
        assertTerm(license.starts_at, expiresAt);
      }
      const updated = await this.licenses.updateTerms(
        manager,
        license.id,
        { totalSeats: dto.total_seats, expiresAt, revoked: dto.revoked },
        now,
      );
      await announceStatusChange(this.outbox, manager, license, updated);
      if (updated.status !== license.status) {
        await this.licenseAudit.statusMoved(license, updated, {
          actorType: 'user',
          actorId: principal.actorUserId ?? principal.userId,
        });
      }
      this.invalidation.changed(
        manager,
        'license_seat',
        await this.licenses.holdersOfAny([license.id], manager),
      );
      return updated;
    });
    noteAuditTarget({ tenantId: row.tenant_id });
    return mapLicense(row);
  }

  async seats(
    principal: UserPrincipal,
    tenantId: string | undefined,
    id: string,
    page: { limit?: number; offset?: number },
  ): Promise<SeatPageDto> {
    assertTenantScope(principal, tenantId);
    const license = await this.licenses.findById(id, tenantId);
    if (!license) {
      throw new AppException('LICENSE_NOT_FOUND_OR_EXPIRED');
    }
    const limit = page.limit ?? 20;
    const offset = page.offset ?? 0;
    const { rows, total } = await this.licenses.pageSeats(license.id, { limit, offset });
    const ids = rows.map((row) => row.user_id);
    const [people, classes] = await Promise.all([
      this.users.summaries(ids),
      this.classes.classesOfStudents(license.tenant_id, ids),
    ]);
    const names = new Map(people.map((person) => [person.id, person.fullName]));
    return {
      items: rows.map((row) => ({
        ...mapSeat(row),
        full_name: names.get(row.user_id) ?? '',
        classes: classes.get(row.user_id) ?? [],
      })),
      total,
      limit,
      offset,
    };
  }
}

function assertTerm(startsAt: Date, expiresAt: Date): void {
  if (expiresAt.getTime() <= startsAt.getTime()) {
    const error = 'expires_at must be after starts_at';
    throw new AppException('COMMON_VALIDATION_FAILED', error, {
      fields: [{ field: 'expires_at', errors: [error] }],
    });
  }
}
