import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager, Repository } from 'typeorm';
import { isUniqueViolation, queryOne, queryRows } from '../../common/database/sql.js';
import { AppException } from '../../common/errors/app.exception.js';
import {
  membershipsFromJson,
  membershipsJsonOf,
  type MembershipView,
} from './memberships.repository.js';
import { User } from './user.entity.js';

export interface NewUser {
  email: string | null;
  passwordHash: string | null;
  fullName: string;
  username?: string | null;
  platformRole?: User['platformRole'];
  emailVerifiedAt?: Date | null;
  mustChangePassword?: boolean;
  /** The school creating the account (school-managed); absent: the person's own account */
  managedByTenantId?: string | null;
}

/** What other modules show of a person next to their own rows (class lists, usage reports). */
export interface UserSummary {
  id: string;
  fullName: string;
  email: string | null;
  username: string | null;
  deleted: boolean;
}

export type ProfileChanges = Partial<
  Pick<User, 'fullName' | 'username' | 'phone' | 'gradeLevel' | 'profileImageUrl' | 'preferences'>
>;

/** A user and their memberships: what a token and its response are made of. */
export interface Account {
  user: User;
  memberships: MembershipView[];
}

export interface FailedLoginResult {
  failedLoginCount: number;
  lockedUntil: Date | null;
  justLocked: boolean;
}

/** The only code that reads or writes `users`. Soft-deleted rows are invisible (but to `summaries`). */
@Injectable()
export class UsersRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private repo(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(User);
  }

  // Reads are plain SQL: they sit on the sign-in path, where the query builder's own work
  // cost more than the round trip (measured with `npm run bench`).
  async findById(id: string, manager?: EntityManager): Promise<User | null> {
    const row = await queryOne<UserRow>(
      manager ?? this.dataSource,
      `${SELECT_USER} WHERE id = $1 AND deleted_at IS NULL`,
      [id],
    );
    return row ? toUser(row) : null;
  }

  async findByEmail(email: string): Promise<User | null> {
    const row = await queryOne<UserRow>(
      this.dataSource,
      `${SELECT_USER} WHERE email = $1 AND deleted_at IS NULL`,
      [normalizeEmail(email)],
    );
    return row ? toUser(row) : null;
  }

  /** The account signing in with this address, memberships included, in one statement. */
  async findAccountByEmail(email: string): Promise<Account | null> {
    const row = await queryOne<AccountRow>(
      this.dataSource,
      `SELECT ${accountColumnsOf('u')} FROM users u WHERE u.email = $1 AND u.deleted_at IS NULL`,
      [normalizeEmail(email)],
    );
    return row ? accountFromRow(row) : null;
  }

  /** As `findAccountByEmail`, for a pupil signing in with the school's username. */
  async findAccountByTenantUsername(tenantId: string, username: string): Promise<Account | null> {
    const row = await queryOne<AccountRow>(
      this.dataSource,
      `SELECT ${accountColumnsOf('u')} FROM users u WHERE u.deleted_at IS NULL AND u.id =
         (SELECT user_id FROM memberships WHERE tenant_id = $1 AND username = $2)`,
      [tenantId, username.toLowerCase()],
    );
    return row ? accountFromRow(row) : null;
  }

  /**
   * Names of these users ordered by full name (then id), deleted accounts included and marked:
   * a record that outlived its account still names who it was.
   */
  async summaries(ids: string[]): Promise<UserSummary[]> {
    if (ids.length === 0) {
      return [];
    }
    const rows = await queryRows<{
      id: string;
      full_name: string;
      email: string | null;
      username: string | null;
      deleted: boolean;
    }>(
      this.dataSource,
      `SELECT id, full_name, email, username, deleted_at IS NOT NULL AS deleted FROM users
       WHERE id = ANY($1::uuid[]) ORDER BY full_name, id`,
      [ids],
    );
    return rows.map((row) => ({
      id: row.id,
      fullName: row.full_name,
      email: row.email,
      username: row.username,
      deleted: row.deleted,
    }));
  }

  /** Locks the row for the rest of the transaction (concurrent changes to one user queue here). */
  async lockById(manager: EntityManager, id: string): Promise<User | null> {
    const row = await queryOne<UserRow>(
      manager,
      `${SELECT_USER} WHERE id = $1 AND deleted_at IS NULL FOR UPDATE`,
      [id],
    );
    return row ? toUser(row) : null;
  }

  /** Inserts the user; a live account with the same address → 409 USER_EMAIL_ALREADY_EXISTS. */
  async insert(manager: EntityManager, user: NewUser): Promise<User> {
    try {
      return await this.repo(manager).save(
        this.repo(manager).create({
          email: user.email === null ? null : normalizeEmail(user.email),
          passwordHash: user.passwordHash,
          fullName: user.fullName,
          username: user.username ?? null,
          platformRole: user.platformRole ?? null,
          emailVerifiedAt: user.emailVerifiedAt ?? null,
          mustChangePassword: user.mustChangePassword ?? false,
          managedByTenantId: user.managedByTenantId ?? null,
        }),
      );
    } catch (error) {
      if (isUniqueViolation(error, 'uq_users_email_live')) {
        throw new AppException('USER_EMAIL_ALREADY_EXISTS');
      }
      throw error;
    }
  }

  /**
   * Counts a failure atomically; the attempt that reaches `maxAttempts` sets the lock. A failure
   * after an expired lock, or more than `lockMinutes` after the previous one, starts a new count
   * (the rule login_failures follows for identifiers without an account).
   */
  async recordFailedLogin(
    id: string,
    now: Date,
    maxAttempts: number,
    lockMinutes: number,
  ): Promise<FailedLoginResult> {
    const restarts = `(locked_until IS NOT NULL AND locked_until <= $2)
      OR (locked_until IS NULL AND (last_failed_login_at IS NULL
        OR last_failed_login_at <= $2::timestamptz - make_interval(mins => $4)))`;
    const row = await queryOne<{ failed_login_count: number; locked_until: Date | null }>(
      this.dataSource,
      `UPDATE users SET
         failed_login_count = CASE WHEN ${restarts} THEN 1 ELSE failed_login_count + 1 END,
         locked_until = CASE
           WHEN locked_until IS NOT NULL AND locked_until > $2 THEN locked_until
           WHEN (CASE WHEN ${restarts} THEN 1 ELSE failed_login_count + 1 END) >= $3
             THEN $2::timestamptz + make_interval(mins => $4)
           ELSE NULL END,
         last_failed_login_at = $2
       WHERE id = $1
       RETURNING failed_login_count, locked_until`,
      [id, now, maxAttempts, lockMinutes],
    );
    const lockedUntil = row?.locked_until ?? null;
    return {
      failedLoginCount: row?.failed_login_count ?? 0,
      lockedUntil,
      justLocked: lockedUntil !== null && row?.failed_login_count === maxAttempts,
    };
  }

  async recordSuccessfulLogin(
    manager: EntityManager,
    id: string,
    now: Date,
    rehashed: string | null,
  ): Promise<void> {
    await queryRows(
      manager,
      `UPDATE users SET failed_login_count = 0, locked_until = NULL, last_login_at = $2,
         password_hash = COALESCE($3, password_hash)
       WHERE id = $1`,
      [id, now, rehashed],
    );
  }

  /** A password the user chose (clears a pending change), or an admin's temporary one. */
  async setPassword(
    manager: EntityManager,
    id: string,
    passwordHash: string,
    temporary = false,
  ): Promise<void> {
    await manager.query(
      `UPDATE users SET password_hash = $2, failed_login_count = 0, locked_until = NULL,
         must_change_password = $3, updated_at = now()
       WHERE id = $1`,
      [id, passwordHash, temporary],
    );
  }

  /** A password nobody proved to own the address for (set before verification) stops working. */
  async clearPassword(manager: EntityManager, id: string): Promise<void> {
    await manager.query(
      `UPDATE users SET password_hash = NULL, must_change_password = false, updated_at = now()
       WHERE id = $1`,
      [id],
    );
  }

  async markEmailVerified(manager: EntityManager, id: string, now: Date): Promise<void> {
    await manager.query(
      `UPDATE users SET email_verified_at = COALESCE(email_verified_at, $2), updated_at = now()
       WHERE id = $1`,
      [id, now],
    );
  }

  async updateProfile(manager: EntityManager, id: string, changes: ProfileChanges): Promise<void> {
    // jsonb `preferences` is a plain object, which TypeORM's deep-partial type does not model.
    await this.repo(manager).update({ id }, changes as Parameters<Repository<User>['update']>[1]);
  }

  /** The account is its owner's from now on: no school manages it again. */
  async markSelfManaged(manager: EntityManager, id: string): Promise<void> {
    await manager.query(
      `UPDATE users SET managed_by_tenant_id = NULL WHERE id = $1 AND managed_by_tenant_id IS NOT NULL`,
      [id],
    );
  }

  async promoteToSuperAdmin(manager: EntityManager, id: string, now: Date): Promise<void> {
    await manager.query(
      `UPDATE users SET platform_role = 'super_admin',
         email_verified_at = COALESCE(email_verified_at, $2), updated_at = now()
       WHERE id = $1`,
      [id, now],
    );
  }
}

const USER_COLUMN_NAMES = [
  'id',
  'email',
  'password_hash',
  'full_name',
  'username',
  'phone',
  'grade_level',
  'profile_image_url',
  'preferences',
  'platform_role',
  'is_active',
  'must_change_password',
  'email_verified_at',
  'last_login_at',
  'managed_by_tenant_id',
  'failed_login_count',
  'locked_until',
  'created_at',
  'updated_at',
  'deleted_at',
] as const;

const SELECT_USER = `SELECT ${USER_COLUMN_NAMES.join(', ')} FROM users`;

/** The columns of an account for this module's own statements: the user and their memberships. */
function accountColumnsOf(alias: string): string {
  const columns = USER_COLUMN_NAMES.map((name) => `${alias}.${name}`).join(', ');
  return `${columns}, ${membershipsJsonOf(`${alias}.id`)} AS memberships`;
}

function accountFromRow(row: AccountRow): Account {
  return { user: toUser(row), memberships: membershipsFromJson(row.memberships) };
}

/**
 * The account of the (not deleted) user whose id is `userIdSql`, as one JSON value inside
 * another module's statement: a refresh reads it in its one UPDATE … RETURNING. Null when
 * there is no such user. Read with `accountFromJson`.
 */
export function accountJsonOf(userIdSql: string): string {
  return `(SELECT json_build_object('user', to_json(u), 'memberships', ${membershipsJsonOf('u.id')})
    FROM (${SELECT_USER} WHERE id = ${userIdSql} AND deleted_at IS NULL) u)`;
}

export interface AccountJson {
  user: Omit<UserRow, DateColumn> & Record<DateColumn, string | null>;
  memberships: AccountRow['memberships'];
}

type DateColumn =
  | 'email_verified_at'
  | 'last_login_at'
  | 'locked_until'
  | 'created_at'
  | 'updated_at'
  | 'deleted_at';

const DATE_COLUMNS: DateColumn[] = [
  'email_verified_at',
  'last_login_at',
  'locked_until',
  'created_at',
  'updated_at',
  'deleted_at',
];

export function accountFromJson(json: AccountJson): Account {
  const row = { ...json.user } as unknown as Record<string, unknown>;
  for (const column of DATE_COLUMNS) {
    const value = json.user[column];
    row[column] = value === null ? null : new Date(value);
  }
  return accountFromRow({ ...(row as unknown as UserRow), memberships: json.memberships });
}

type AccountRow = UserRow & { memberships: Parameters<typeof membershipsFromJson>[0] };

interface UserRow {
  id: string;
  email: string | null;
  password_hash: string | null;
  full_name: string;
  username: string | null;
  phone: string | null;
  grade_level: string | null;
  profile_image_url: string | null;
  preferences: Record<string, unknown>;
  platform_role: User['platformRole'];
  is_active: boolean;
  must_change_password: boolean;
  email_verified_at: Date | null;
  last_login_at: Date | null;
  managed_by_tenant_id: string | null;
  failed_login_count: number;
  locked_until: Date | null;
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
}

function toUser(row: UserRow): User {
  return Object.assign(new User(), {
    id: row.id,
    email: row.email,
    passwordHash: row.password_hash,
    fullName: row.full_name,
    username: row.username,
    phone: row.phone,
    gradeLevel: row.grade_level,
    profileImageUrl: row.profile_image_url,
    preferences: row.preferences,
    platformRole: row.platform_role,
    isActive: row.is_active,
    mustChangePassword: row.must_change_password,
    emailVerifiedAt: row.email_verified_at,
    lastLoginAt: row.last_login_at,
    managedByTenantId: row.managed_by_tenant_id,
    failedLoginCount: row.failed_login_count,
    lockedUntil: row.locked_until,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    deletedAt: row.deleted_at,
  });
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
