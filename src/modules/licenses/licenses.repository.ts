import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { queryOne, queryRows } from '../../common/database/sql.js';
import type { SeatAssignmentKind } from './entities/license-seat.entity.js';
import type { LicenseStatus } from './entities/school-license.entity.js';

export interface LicenseRow {
  id: string;
  tenant_id: string;
  plan_id: string | null;
  total_seats: number;
  used_seats: number;
  starts_at: Date;
  expires_at: Date;
  status: LicenseStatus;
  source: string;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface SeatRow {
  license_id: string;
  user_id: string;
  assigned_at: Date;
  assigned_by: string | null;
  how: SeatAssignmentKind;
}

export interface NewLicense {
  tenantId: string;
  planId: string | null;
  totalSeats: number;
  startsAt: Date;
  expiresAt: Date;
  source: string;
  createdBy: string | null;
}

export interface LicenseTerms {
  totalSeats?: number;
  expiresAt?: Date;
  planId?: string | null;
  revoked?: boolean;
}

/** A student's seat on a license that grants now, with the license's term. */
export interface HeldSeat {
  license_id: string;
  tenant_id: string;
  starts_at: Date;
  expires_at: Date;
  status: LicenseStatus;
  assigned_at: Date;
}

export interface ExpiredLicense extends LicenseRow {
  previous_status: LicenseStatus;
}

export interface SeatSummary {
  licenses: number;
  total_seats: number;
  used_seats: number;
  next_expiry: Date | null;
}

const LICENSE_COLUMNS = `id, tenant_id, plan_id, total_seats, used_seats, starts_at, expires_at,
  status, source, created_by, created_at, updated_at`;
/** The same columns of `school_licenses l`, where a join names others alike. */
const LICENSE_COLUMNS_OF_L = LICENSE_COLUMNS.replace(/(\w+)/g, 'l.$1');

/** school_licenses, license_seats and license_reminders. */
@Injectable()
export class LicensesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(manager: EntityManager, license: NewLicense): Promise<LicenseRow> {
    const row = await queryOne<LicenseRow>(
      manager,
      `${INSERT_LICENSE} RETURNING ${LICENSE_COLUMNS}`,
      licenseValues(license),
    );
    return row as LicenseRow;
  }

  /**
   * Makes the license that follows `license.source` (a Stripe subscription id) unless one
   * exists: a concurrent maker waits on the unique index, then does nothing. Lock it next
   * (`findBySource`).
   */
  async insertForSource(manager: EntityManager, license: NewLicense): Promise<boolean> {
    const rows = await queryRows<{ id: string }>(
      manager,
      `${INSERT_LICENSE} ON CONFLICT (source) WHERE source <> 'manual' DO NOTHING RETURNING id`,
      licenseValues(license),
    );
    return rows.length > 0;
  }

  /** The license, when it exists in `tenantId` (any tenant when undefined). */
  findById(
    id: string,
    tenantId: string | undefined,
    manager?: EntityManager,
  ): Promise<LicenseRow | undefined> {
    return queryOne<LicenseRow>(
      manager ?? this.dataSource,
      `SELECT ${LICENSE_COLUMNS} FROM school_licenses
       WHERE id = $1 AND ($2::varchar IS NULL OR tenant_id = $2)`,
      [id, tenantId ?? null],
    );
  }

  findBySource(manager: EntityManager, source: string): Promise<LicenseRow | undefined> {
    return queryOne<LicenseRow>(
      manager,
      `SELECT ${LICENSE_COLUMNS} FROM school_licenses WHERE source = $1 FOR UPDATE`,
      [source],
    );
  }

  /** Locks the license: assignments and changes to one license queue here, in one order. */
  lock(manager: EntityManager, id: string, tenantId?: string): Promise<LicenseRow | undefined> {
    return queryOne<LicenseRow>(
      manager,
      `SELECT ${LICENSE_COLUMNS} FROM school_licenses
       WHERE id = $1 AND ($2::varchar IS NULL OR tenant_id = $2) FOR UPDATE`,
      [id, tenantId ?? null],
    );
  }

  async list(
    tenantId: string | undefined,
    page: { limit: number; offset: number },
  ): Promise<{ rows: LicenseRow[]; total: number }> {
    const params = [tenantId ?? null, page.limit, page.offset];
    const [rows, totalRow] = await Promise.all([
      queryRows<LicenseRow>(
        this.dataSource,
        `SELECT ${LICENSE_COLUMNS} FROM school_licenses
         WHERE ($1::varchar IS NULL OR tenant_id = $1)
         ORDER BY expires_at DESC, id LIMIT $2 OFFSET $3`,
        params,
      ),
      queryOne<{ total: number }>(
        this.dataSource,
        `SELECT count(*)::int AS total FROM school_licenses
         WHERE ($1::varchar IS NULL OR tenant_id = $1)`,
        [tenantId ?? null],
      ),
    ]);
    return { rows, total: totalRow?.total ?? 0 };
  }

  /**
   * One statement, under the license row's lock: seat rows for those of `userIds` who are
   * active students of the license's school and hold none yet (`ON CONFLICT DO NOTHING`), and
   * the guarded count (`used_seats + n <= total_seats`, active and live only). `counted` is
   * undefined when the seats do not fit (or the license cannot take any): the caller rolls the
   * transaction back, so the inserted rows go too.
   */
  async takeSeats(
    manager: EntityManager,
    licenseId: string,
    userIds: string[],
    by: { userId: string | null; how: SeatAssignmentKind; at: Date },
  ): Promise<{ before?: LicenseRow; seated: string[]; counted?: LicenseRow }> {
    const row = await queryOne<{
      before: LicenseRow | null;
      seated: string[] | null;
      counted: LicenseRow | null;
    }>(
      manager,
      `WITH license AS (
         SELECT ${LICENSE_COLUMNS} FROM school_licenses WHERE id = $1 FOR UPDATE
       ), seated AS (
         INSERT INTO license_seats (license_id, user_id, assigned_at, assigned_by, how)
         SELECT license.id, m.user_id, $3, $4, $5
         FROM license JOIN membership_directory m ON m.tenant_id = license.tenant_id
         WHERE m.user_id = ANY($2::uuid[]) AND m.role = 'student' AND m.status = 'active'
           AND license.status = 'active' AND license.starts_at <= $3 AND license.expires_at > $3
         ON CONFLICT (license_id, user_id) DO NOTHING
         RETURNING user_id
       ), counted AS (
         UPDATE school_licenses l
         SET used_seats = l.used_seats + (SELECT count(*) FROM seated), updated_at = $3
         WHERE l.id = $1 AND (SELECT count(*) FROM seated) > 0
           AND l.used_seats + (SELECT count(*) FROM seated) <= l.total_seats
         RETURNING l.*
       )
       SELECT (SELECT row_to_json(license) FROM license) AS before,
              (SELECT array_agg(user_id) FROM seated) AS seated,
              (SELECT row_to_json(counted) FROM counted) AS counted`,
      [licenseId, userIds, by.at, by.userId, by.how],
    );
    return {
      before: licenseFromJson(row?.before),
      seated: row?.seated ?? [],
      counted: licenseFromJson(row?.counted),
    };
  }

  /** The seat goes; a trigger gives it back to the license's count. */
  async deleteSeat(manager: EntityManager, licenseId: string, userId: string): Promise<boolean> {
    const rows = await queryRows<{ user_id: string }>(
      manager,
      `DELETE FROM license_seats WHERE license_id = $1 AND user_id = $2 RETURNING user_id`,
      [licenseId, userId],
    );
    return rows.length > 0;
  }

  /** Every seat the person holds on the tenant's licenses (every tenant's: undefined) goes. */
  async deleteSeatsOf(
    manager: EntityManager,
    userId: string,
    tenantId: string | undefined,
  ): Promise<number> {
    const rows = await queryRows<{ license_id: string }>(
      manager,
      `DELETE FROM license_seats s USING school_licenses l
       WHERE l.id = s.license_id AND s.user_id = $1 AND ($2::varchar IS NULL OR l.tenant_id = $2)
       RETURNING s.license_id`,
      [userId, tenantId ?? null],
    );
    return rows.length;
  }

  /** New seats, term or plan, or revoked; the status follows from the numbers. */
  updateTerms(
    manager: EntityManager,
    id: string,
    terms: LicenseTerms,
    now: Date,
  ): Promise<LicenseRow> {
    const revoked = terms.revoked === undefined ? null : terms.revoked;
    return queryOne<LicenseRow>(
      manager,
      `UPDATE school_licenses SET
         total_seats = COALESCE($2, total_seats),
         expires_at = COALESCE($3, expires_at),
         plan_id = CASE WHEN $4::boolean THEN $5::uuid ELSE plan_id END,
         updated_at = $6,
         status = CASE
           WHEN $7::boolean IS TRUE OR ($7::boolean IS NULL AND status = 'revoked') THEN 'revoked'
           WHEN COALESCE($3, expires_at) <= $6 THEN 'expired'
           WHEN used_seats > COALESCE($2, total_seats) THEN 'over_allocated'
           ELSE 'active' END
       WHERE id = $1 RETURNING ${LICENSE_COLUMNS}`,
      [
        id,
        terms.totalSeats ?? null,
        terms.expiresAt ?? null,
        terms.planId !== undefined,
        terms.planId ?? null,
        now,
        revoked,
      ],
    ) as Promise<LicenseRow>;
  }

  /**
   * Live licenses whose term has ended turn expired; returns them with the status they left.
   * Rows are locked first: a second run at the same time waits, then finds them expired.
   */
  expireEnded(now: Date, manager?: EntityManager): Promise<ExpiredLicense[]> {
    return queryRows<ExpiredLicense>(
      manager ?? this.dataSource,
      `WITH ended AS (
         SELECT id, status FROM school_licenses
         WHERE status IN ('active', 'over_allocated') AND expires_at <= $1
         ORDER BY id FOR UPDATE
       )
       UPDATE school_licenses l SET status = 'expired', updated_at = $1
       FROM ended WHERE l.id = ended.id
       RETURNING ${LICENSE_COLUMNS_OF_L}, ended.status AS previous_status`,
      [now],
    );
  }

  /**
   * Live licenses with a reminder due and not sent yet: the smallest of `thresholds` (days)
   * their end is within, for their current term.
   */
  dueReminders(
    now: Date,
    thresholds: readonly number[],
  ): Promise<Array<LicenseRow & { days_before: number }>> {
    return queryRows<LicenseRow & { days_before: number }>(
      this.dataSource,
      `SELECT ${LICENSE_COLUMNS_OF_L}, due.days AS days_before FROM school_licenses l
       CROSS JOIN LATERAL (
         SELECT min(d) AS days FROM unnest($2::int[]) AS d
         WHERE l.expires_at <= $1::timestamptz + make_interval(days => d)) due
       WHERE l.status IN ('active', 'over_allocated') AND l.expires_at > $1
         AND due.days IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM license_reminders r WHERE r.license_id = l.id
           AND r.expires_at = l.expires_at AND r.days_before = due.days)
       ORDER BY l.expires_at`,
      [now, [...thresholds]],
    );
  }

  /** Claims the reminder for this license, term and threshold; false when one was sent. */
  async claimReminder(
    manager: EntityManager,
    license: Pick<LicenseRow, 'id' | 'expires_at'>,
    daysBefore: number,
    now: Date,
  ): Promise<boolean> {
    const rows = await queryRows<{ license_id: string }>(
      manager,
      `INSERT INTO license_reminders (license_id, expires_at, days_before, sent_at)
       VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING license_id`,
      [license.id, license.expires_at, daysBefore, now],
    );
    return rows.length > 0;
  }

  /** The person's seat on the license with the license, in one read. */
  async seatWithLicense(
    licenseId: string,
    userId: string,
  ): Promise<{ seat: SeatRow; license: LicenseRow } | undefined> {
    const row = await queryOne<LicenseRow & { seat: SeatRow }>(
      this.dataSource,
      `SELECT ${LICENSE_COLUMNS_OF_L},
         json_build_object('license_id', s.license_id, 'user_id', s.user_id,
           'assigned_at', s.assigned_at, 'assigned_by', s.assigned_by, 'how', s.how) AS seat
       FROM license_seats s JOIN school_licenses l ON l.id = s.license_id
       WHERE s.license_id = $1 AND s.user_id = $2`,
      [licenseId, userId],
    );
    if (!row) {
      return undefined;
    }
    const { seat, ...license } = row;
    return { seat: { ...seat, assigned_at: new Date(seat.assigned_at) }, license };
  }

  findSeats(licenseId: string, userIds: string[], manager?: EntityManager): Promise<SeatRow[]> {
    return queryRows<SeatRow>(
      manager ?? this.dataSource,
      `SELECT license_id, user_id, assigned_at, assigned_by, how FROM license_seats
       WHERE license_id = $1 AND user_id = ANY($2::uuid[]) ORDER BY user_id`,
      [licenseId, userIds],
    );
  }

  async pageSeats(
    licenseId: string,
    page: { limit: number; offset: number },
  ): Promise<{ rows: SeatRow[]; total: number }> {
    const [rows, totalRow] = await Promise.all([
      queryRows<SeatRow>(
        this.dataSource,
        `SELECT license_id, user_id, assigned_at, assigned_by, how FROM license_seats
         WHERE license_id = $1 ORDER BY assigned_at, user_id LIMIT $2 OFFSET $3`,
        [licenseId, page.limit, page.offset],
      ),
      queryOne<{ total: number }>(
        this.dataSource,
        `SELECT count(*)::int AS total FROM license_seats WHERE license_id = $1`,
        [licenseId],
      ),
    ]);
    return { rows, total: totalRow?.total ?? 0 };
  }

  /** The student's seats on licenses not expired or revoked (the caller checks the term). */
  liveSeatsOf(userId: string): Promise<HeldSeat[]> {
    return queryRows<HeldSeat>(
      this.dataSource,
      `SELECT l.id AS license_id, l.tenant_id, l.starts_at, l.expires_at, l.status, s.assigned_at
       FROM license_seats s JOIN school_licenses l ON l.id = s.license_id
       WHERE s.user_id = $1 AND l.status IN ('active', 'over_allocated')
       ORDER BY l.expires_at DESC`,
      [userId],
    );
  }

  /** Tenant roles and statuses of these people (absent: not a member). */
  async membershipsAmong(
    tenantId: string,
    userIds: string[],
  ): Promise<Map<string, { role: string; status: string }>> {
    const rows = await queryRows<{ user_id: string; role: string; status: string }>(
      this.dataSource,
      `SELECT user_id, role, status FROM membership_directory
       WHERE tenant_id = $1 AND user_id = ANY($2::uuid[])`,
      [tenantId, userIds],
    );
    return new Map(rows.map((row) => [row.user_id, { role: row.role, status: row.status }]));
  }

  /** Live licenses of the tenant with a free seat, the longest term first. */
  licensesWithRoom(tenantId: string, now: Date): Promise<LicenseRow[]> {
    return queryRows<LicenseRow>(
      this.dataSource,
      `SELECT ${LICENSE_COLUMNS} FROM school_licenses
       WHERE tenant_id = $1 AND status = 'active' AND starts_at <= $2 AND expires_at > $2
         AND used_seats < total_seats
       ORDER BY expires_at DESC`,
      [tenantId, now],
    );
  }

  /** The tenant's live licenses together, for the Service Market. */
  async summaryForTenant(tenantId: string, now: Date): Promise<SeatSummary> {
    const row = await queryOne<SeatSummary>(
      this.dataSource,
      `SELECT count(*)::int AS licenses, COALESCE(sum(total_seats), 0)::int AS total_seats,
         COALESCE(sum(used_seats), 0)::int AS used_seats, min(expires_at) AS next_expiry
       FROM school_licenses
       WHERE tenant_id = $1 AND status IN ('active', 'over_allocated') AND expires_at > $2`,
      [tenantId, now],
    );
    return row ?? { licenses: 0, total_seats: 0, used_seats: 0, next_expiry: null };
  }

  /** Holders of seats on any of the licenses. */
  async holdersOfAny(licenseIds: string[], manager?: EntityManager): Promise<string[]> {
    const rows = await queryRows<{ user_id: string }>(
      manager ?? this.dataSource,
      `SELECT DISTINCT user_id FROM license_seats WHERE license_id = ANY($1::uuid[])`,
      [licenseIds],
    );
    return rows.map((row) => row.user_id);
  }
}

const INSERT_LICENSE = `INSERT INTO school_licenses
  (tenant_id, plan_id, total_seats, starts_at, expires_at, source, created_by)
  VALUES ($1, $2, $3, $4, $5, $6, $7)`;

function licenseValues(license: NewLicense): unknown[] {
  return [
    license.tenantId,
    license.planId,
    license.totalSeats,
    license.startsAt,
    license.expiresAt,
    license.source,
    license.createdBy,
  ];
}

/** A license row as `row_to_json` gives it (timestamps as strings). */
function licenseFromJson(json: LicenseRow | null | undefined): LicenseRow | undefined {
  if (!json) {
    return undefined;
  }
  const dated = json as unknown as Record<string, unknown>;
  return {
    ...json,
    starts_at: new Date(dated.starts_at as string),
    expires_at: new Date(dated.expires_at as string),
    created_at: new Date(dated.created_at as string),
    updated_at: new Date(dated.updated_at as string),
  };
}
