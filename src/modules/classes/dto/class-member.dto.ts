import { IsIn, IsUUID } from 'class-validator';
import { CLASS_ROLES, type ClassRole } from '../class-member.entity.js';
import type { UserSummary } from '../../users/users.repository.js';
import type { ClassMemberRow } from '../classes.repository.js';

export class AddClassMemberDto {
  /** An active member of the class's school */
  @IsUUID('all', { message: 'user_id must be a UUID' })
  user_id!: string;

  /** `teacher` and `assistant` need a teacher or admin of the school */
  @IsIn(CLASS_ROLES)
  role!: ClassRole;
}

export class ClassMemberDto {
  user_id!: string;
  /** @example Kim Minji */
  full_name!: string;
  email!: string | null;
  username!: string | null;
  role!: ClassRole;
  joined_at!: string;
}

export function mapClassMember(row: ClassMemberRow, person: UserSummary): ClassMemberDto {
  return {
    user_id: row.user_id,
    full_name: person.fullName,
    email: person.email,
    username: person.username,
    role: row.role,
    joined_at: row.joined_at.toISOString(),
  };
}
