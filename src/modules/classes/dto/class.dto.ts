import type { ClassRole } from '../class-member.entity.js';
import type { ClassRow } from '../classes.repository.js';

export class ClassDto {
  /** @example 5b7f3c2e-9a41-4d7e-8f0a-1c2d3e4f5a6b */
  id!: string;
  /** @example hallym_univ */
  tenant_id!: string;
  /** @example 3-B Science */
  name!: string;
  /** @example Science */
  subject!: string | null;
  /** @example 3 */
  grade!: string | null;
  /** @example 2026-1 */
  term!: string | null;
  archived!: boolean;
  /** Who made the class; null once that account is gone */
  created_by!: string | null;
  created_at!: string;
  updated_at!: string;
  student_count!: number;
  teacher_count!: number;
  assistant_count!: number;
  /** Your role in the class; null when you are not a member (an admin looking on) */
  my_role!: ClassRole | null;
  /**
   * The code students join with; only for admins and the class's teachers and assistants
   * @example K7PX3MWQ
   */
  join_code?: string;
}

export class ClassPageDto {
  items!: ClassDto[];
  /** Matching classes, all pages together */
  total!: number;
  limit!: number;
  offset!: number;
}

export function mapClass(row: ClassRow, options: { showJoinCode: boolean }): ClassDto {
  return {
    id: row.id,
    tenant_id: row.tenant_id,
    name: row.name,
    subject: row.subject,
    grade: row.grade,
    term: row.term,
    archived: row.archived,
    created_by: row.created_by,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
    student_count: row.student_count,
    teacher_count: row.teacher_count,
    assistant_count: row.assistant_count,
    my_role: row.viewer_role,
    ...(options.showJoinCode ? { join_code: row.join_code } : {}),
  };
}
