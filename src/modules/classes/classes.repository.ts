import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import {
  containsPattern,
  isForeignKeyViolation,
  isUniqueViolation,
  queryOne,
  queryRows,
  unknownReference,
} from '../../common/database/sql.js';
import { AppException } from '../../common/errors/app.exception.js';
import type { ClassMemberAddedBy, ClassRole } from './class-member.entity.js';

/** A class with its member counts and the role of the person looking at it. */
export interface ClassRow {
  id: string;
  tenant_id: string;
  name: string;
  subject: string | null;
  grade: string | null;
  term: string | null;
  join_code: string;
  archived: boolean;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
  student_count: number;
  teacher_count: number;
  assistant_count: number;
  /** The viewer's role in the class; null when they are not a member */
  viewer_role: ClassRole | null;
}

export interface ClassListFilter {
  /** undefined: every tenant (super admins) */
  tenantId?: string;
  archived: boolean;
  q?: string;
  /** Only the classes this user belongs to (teachers and students see no others) */
  memberId?: string;
}

export interface ClassFields {
  name?: string;
  subject?: string | null;
  grade?: string | null;
  term?: string | null;
  archived?: boolean;
}

export interface ClassMemberRow {
  user_id: string;
  role: ClassRole;
  joined_at: Date;
}

/** A class as reports and the marketplace read it: who made it, when, how many take part. */
export interface ClassStatsRow {
  id: string;
  tenant_id: string;
  name: string;
  archived: boolean;
  created_by: string | null;
  created_at: Date;
  /** Every member: students, teachers and assistants */
  participant_count: number;
  student_count: number;
  /** Teachers and assistants */
  teacher_count: number;
}

// The columns `update` may set; the keys of ClassFields are the column names.
const CLASS_FIELD_COLUMNS = ['name', 'subject', 'grade', 'term', 'archived'] as const;

const CLASS_COLUMNS = `c.id, c.tenant_id, c.name, c.subject, c.grade, c.term, c.join_code,
  c.archived, c.created_by, c.created_at, c.updated_at`;

// One pass over the class's members; teachers and assistants are counted apart.
const MEMBER_COUNTS = `CROSS JOIN LATERAL (
  SELECT count(*) FILTER (WHERE cm.role = 'student')::int AS student_count,
         count(*) FILTER (WHERE cm.role = 'teacher')::int AS teacher_count,
         count(*) FILTER (WHERE cm.role = 'assistant')::int AS assistant_count,
         count(*)::int AS participant_count
  FROM class_members cm WHERE cm.class_id = c.id) counts`;

@Injectable()
export class ClassesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async list(
    filter: ClassListFilter,
    viewerId: string,
    page: { limit: number; offset: number },
  ): Promise<{ rows: ClassRow[]; total: number }> {
    const params: unknown[] = [];
    const bind = (value: unknown): string => {
      params.push(value);
      return `$${params.length}`;
    };
    const where = [`c.archived = ${bind(filter.archived)}`];
    if (filter.tenantId !== undefined) {
      where.push(`c.tenant_id = ${bind(filter.tenantId)}`);
    }
    if (filter.memberId !== undefined) {
      where.push(
        `EXISTS (SELECT 1 FROM class_members m WHERE m.class_id = c.id AND m.user_id = ${bind(filter.memberId)})`,
      );
    }
    if (filter.q) {
      const pattern = bind(containsPattern(filter.q));
      where.push(`(c.name ILIKE ${pattern} OR c.subject ILIKE ${pattern})`);
    }
    const conditions = where.join(' AND ');
    const totalRow = await queryOne<{ total: number }>(
      this.dataSource,
      `SELECT count(*)::int AS total FROM classes c WHERE ${conditions}`,
      params,
    );
    // Bound after the count: its query must not carry parameters it does not use.
    const viewer = bind(viewerId);
    const rows = await queryRows<ClassRow>(
      this.dataSource,
      `SELECT ${CLASS_COLUMNS}, counts.student_count, counts.teacher_count, counts.assistant_count,
         (SELECT v.role FROM class_members v WHERE v.class_id = c.id AND v.user_id = ${viewer}) AS viewer_role
       FROM classes c ${MEMBER_COUNTS}
       WHERE ${conditions}
       ORDER BY c.name ASC, c.id ASC
       LIMIT ${bind(page.limit)} OFFSET ${bind(page.offset)}`,
      params,
    );
    return { rows, total: totalRow?.total ?? 0 };
  }

  /** The class, when it exists in `tenantId` (any tenant when undefined). */
  findById(
    classId: string,
    tenantId: string | undefined,
    viewerId: string,
  ): Promise<ClassRow | undefined> {
    return queryOne<ClassRow>(
      this.dataSource,
      `SELECT ${CLASS_COLUMNS}, counts.student_count, counts.teacher_count, counts.assistant_count,
         (SELECT v.role FROM class_members v WHERE v.class_id = c.id AND v.user_id = $3) AS viewer_role
       FROM classes c ${MEMBER_COUNTS}
       WHERE c.id = $1 AND ($2::varchar IS NULL OR c.tenant_id = $2)`,
      [classId, tenantId ?? null, viewerId],
    );
  }

  async findIdByJoinCode(
    code: string,
  ): Promise<{ id: string; tenant_id: string; archived: boolean } | undefined> {
    return queryOne(
      this.dataSource,
      `SELECT id, tenant_id, archived FROM classes WHERE join_code = $1`,
      [code],
    );
  }

  /** The user's classes in one tenant with their role in each. */
  listForMember(userId: string, tenantId: string, archived: boolean): Promise<ClassRow[]> {
    return queryRows<ClassRow>(
      this.dataSource,
      `SELECT ${CLASS_COLUMNS}, counts.student_count, counts.teacher_count, counts.assistant_count,
         v.role AS viewer_role
       FROM class_members v JOIN classes c ON c.id = v.class_id ${MEMBER_COUNTS}
       WHERE v.user_id = $1 AND c.tenant_id = $2 AND c.archived = $3
       ORDER BY c.name ASC, c.id ASC`,
      [userId, tenantId, archived],
    );
  }

  /**
   * A page of a tenant's classes (archived ones too) with who made them and how many take
   * part, newest first; for reports and the marketplace.
   */
  async pageWithStats(
    tenantId: string,
    page: { limit: number; offset: number },
  ): Promise<{ items: ClassStatsRow[]; total: number }> {
    const totalRow = await queryOne<{ total: number }>(
      this.dataSource,
      `SELECT count(*)::int AS total FROM classes WHERE tenant_id = $1`,
      [tenantId],
    );
    const items = await queryRows<ClassStatsRow>(
      this.dataSource,
      `SELECT c.id, c.tenant_id, c.name, c.archived, c.created_by, c.created_at,
         counts.participant_count, counts.student_count,
         counts.teacher_count + counts.assistant_count AS teacher_count
       FROM classes c ${MEMBER_COUNTS}
       WHERE c.tenant_id = $1
       ORDER BY c.created_at DESC, c.id DESC
       LIMIT $2 OFFSET $3`,
      [tenantId, page.limit, page.offset],
    );
    return { items, total: totalRow?.total ?? 0 };
  }

  /** Inserts the class unless the join code is taken (then undefined: draw another code). */
  async insertUnlessCodeTaken(
    manager: EntityManager,
    values: Required<Omit<ClassFields, 'archived'>> & {
      tenantId: string;
      joinCode: string;
      createdBy: string;
    },
  ): Promise<string | undefined> {
    // ON CONFLICT instead of catching the violation: a failed INSERT would abort the transaction.
    try {
      const row = await queryOne<{ id: string }>(
        manager,
        `INSERT INTO classes (tenant_id, name, subject, grade, term, join_code, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (join_code) DO NOTHING RETURNING id`,
        [
          values.tenantId,
          values.name,
          values.subject,
          values.grade,
          values.term,
          values.joinCode,
          values.createdBy,
        ],
      );
      return row?.id;
    } catch (error) {
      // A super admin's tenant_id that names no tenant (the transaction ends with it).
      if (isForeignKeyViolation(error, 'fk_classes_tenant')) {
        throw unknownReference('tenant_id', 'tenant');
      }
      throw error;
    }
  }

  /** Only the fields given change; null clears an optional one. */
  async update(classId: string, fields: ClassFields): Promise<void> {
    const params: unknown[] = [classId];
    const sets = CLASS_FIELD_COLUMNS.filter((column) => fields[column] !== undefined).map(
      (column) => {
        params.push(fields[column]);
        return `${column} = $${params.length}`;
      },
    );
    await this.dataSource.query(
      `UPDATE classes SET ${[...sets, 'updated_at = now()'].join(', ')} WHERE id = $1`,
      params,
    );
  }

  /** false when the code is taken by another class (draw another one). */
  async setJoinCode(classId: string, joinCode: string): Promise<boolean> {
    try {
      await this.dataSource.query(
        `UPDATE classes SET join_code = $2, updated_at = now() WHERE id = $1`,
        [classId, joinCode],
      );
      return true;
    } catch (error) {
      if (isUniqueViolation(error, 'uq_classes_join_code')) {
        return false;
      }
      throw error;
    }
  }

  async delete(classId: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM classes WHERE id = $1`, [classId]);
  }

  /** The class's members: teachers, then assistants, then students (names come from users). */
  listMembers(classId: string): Promise<ClassMemberRow[]> {
    return queryRows<ClassMemberRow>(
      this.dataSource,
      `SELECT user_id, role, joined_at FROM class_members WHERE class_id = $1
       ORDER BY CASE role WHEN 'teacher' THEN 0 WHEN 'assistant' THEN 1 ELSE 2 END, user_id`,
      [classId],
    );
  }

  findMember(classId: string, userId: string): Promise<ClassMemberRow | undefined> {
    return queryOne<ClassMemberRow>(
      this.dataSource,
      `SELECT user_id, role, joined_at FROM class_members WHERE class_id = $1 AND user_id = $2`,
      [classId, userId],
    );
  }

  /** A second membership → 409 CLASS_MEMBER_EXISTS; a class deleted meanwhile → 404. */
  async insertMember(
    db: EntityManager | undefined,
    classId: string,
    userId: string,
    role: ClassRole,
    addedBy: { userId: string; role: ClassMemberAddedBy; at: Date },
  ): Promise<void> {
    try {
      await (db ?? this.dataSource).query(
        `INSERT INTO class_members (class_id, user_id, role, added_by, added_by_role, joined_at)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [classId, userId, role, addedBy.userId, addedBy.role, addedBy.at],
      );
    } catch (error) {
      if (isUniqueViolation(error, 'uq_class_members_class_user')) {
        throw new AppException('CLASS_MEMBER_EXISTS');
      }
      if (isForeignKeyViolation(error, 'fk_class_members_user')) {
        throw new AppException('CLASS_MEMBER_USER_NOT_FOUND');
      }
      if (isForeignKeyViolation(error)) {
        throw new AppException('CLASS_NOT_FOUND');
      }
      throw error;
    }
  }

  /** An LMS course renamed there is renamed here (an archived class keeps its name). */
  async renameIfChanged(manager: EntityManager, classId: string, name: string): Promise<void> {
    await manager.query(
      `UPDATE classes SET name = $2, updated_at = now()
       WHERE id = $1 AND name <> $2 AND NOT archived`,
      [classId, name],
    );
  }

  /**
   * The person joins (an LTI launch or roster), or takes the role the LMS now gives them.
   * Answers true when the user was not in the class before.
   */
  async upsertMember(
    manager: EntityManager,
    classId: string,
    userId: string,
    role: ClassRole,
    at: Date,
  ): Promise<boolean> {
    const rows = await queryRows<{ inserted: boolean }>(
      manager,
      `INSERT INTO class_members (class_id, user_id, role, added_by, added_by_role, joined_at)
       VALUES ($1, $2, $3, $2, 'self', $4)
       ON CONFLICT (class_id, user_id) DO UPDATE SET role = EXCLUDED.role
       WHERE class_members.role <> EXCLUDED.role
       RETURNING (xmax = 0) AS inserted`,
      [classId, userId, role, at],
    );
    return rows[0]?.inserted === true;
  }

  /** Removes these users from the class (an LMS roster sync); answers who was removed. */
  async removeMembers(
    manager: EntityManager,
    classId: string,
    userIds: string[],
  ): Promise<string[]> {
    if (userIds.length === 0) {
      return [];
    }
    const rows = await queryRows<{ user_id: string }>(
      manager,
      `DELETE FROM class_members WHERE class_id = $1 AND user_id = ANY($2::uuid[]) RETURNING user_id`,
      [classId, userIds],
    );
    return rows.map((row) => row.user_id);
  }

  /** Whether the user is in the class, and as what. */
  async memberRole(classId: string, userId: string): Promise<ClassRole | undefined> {
    const row = await queryOne<{ role: ClassRole }>(
      this.dataSource,
      `SELECT role FROM class_members WHERE class_id = $1 AND user_id = $2`,
      [classId, userId],
    );
    return row?.role;
  }

  /** false when the user was not a member. */
  async removeMember(classId: string, userId: string): Promise<boolean> {
    const rows = await queryRows<{ id: string }>(
      this.dataSource,
      `DELETE FROM class_members WHERE class_id = $1 AND user_id = $2 RETURNING id`,
      [classId, userId],
    );
    return rows.length > 0;
  }

  /**
   * The teacher (or assistant) teaches the student in a class of this tenant, where the student
   * was put by an admin or has been since `settledBefore` (a pupil added by a teacher, or who
   * joined by code, counts only once that hold has passed).
   */
  async teaches(
    teacherId: string,
    studentId: string,
    tenantId: string,
    settledBefore: Date,
  ): Promise<boolean> {
    const rows = await queryRows<{ one: number }>(
      this.dataSource,
      `SELECT 1 AS one FROM class_members t
       JOIN class_members s ON s.class_id = t.class_id AND s.user_id = $2 AND s.role = 'student'
       JOIN classes c ON c.id = t.class_id AND c.tenant_id = $3 AND NOT c.archived
       WHERE t.user_id = $1 AND t.role IN ('teacher', 'assistant')
         AND (s.added_by_role = 'admin' OR s.joined_at <= $4)
       LIMIT 1`,
      [teacherId, studentId, tenantId, settledBefore],
    );
    return rows.length > 0;
  }

  /** The students of a class of this tenant (none when it is not one). */
  async studentsOf(classId: string, tenantId: string): Promise<string[]> {
    const rows = await queryRows<{ user_id: string }>(
      this.dataSource,
      `SELECT m.user_id FROM class_members m JOIN classes c ON c.id = m.class_id
       WHERE m.class_id = $1 AND c.tenant_id = $2 AND m.role = 'student'`,
      [classId, tenantId],
    );
    return rows.map((row) => row.user_id);
  }

  /** Those of `studentIds` the teacher (or assistant) teaches in an open class of this tenant. */
  async studentsTaughtBy(
    teacherId: string,
    tenantId: string,
    studentIds: string[],
  ): Promise<Set<string>> {
    const rows = await queryRows<{ user_id: string }>(
      this.dataSource,
      `SELECT DISTINCT s.user_id FROM class_members t
       JOIN class_members s ON s.class_id = t.class_id AND s.role = 'student'
       JOIN classes c ON c.id = t.class_id AND c.tenant_id = $2 AND NOT c.archived
       WHERE t.user_id = $1 AND t.role IN ('teacher', 'assistant') AND s.user_id = ANY($3::uuid[])`,
      [teacherId, tenantId, studentIds],
    );
    return new Set(rows.map((row) => row.user_id));
  }

  /** The open classes of this tenant each of these students is in, by name. */
  async classesOfStudents(
    tenantId: string,
    studentIds: string[],
  ): Promise<Map<string, Array<{ id: string; name: string }>>> {
    const rows = await queryRows<{ user_id: string; id: string; name: string }>(
      this.dataSource,
      `SELECT m.user_id, c.id, c.name FROM class_members m JOIN classes c ON c.id = m.class_id
       WHERE c.tenant_id = $1 AND NOT c.archived AND m.role = 'student'
         AND m.user_id = ANY($2::uuid[])
       ORDER BY c.name, c.id`,
      [tenantId, studentIds],
    );
    const classes = new Map<string, Array<{ id: string; name: string }>>();
    for (const row of rows) {
      classes.set(row.user_id, [
        ...(classes.get(row.user_id) ?? []),
        { id: row.id, name: row.name },
      ]);
    }
    return classes;
  }
}
