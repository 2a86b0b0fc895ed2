import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { isTenantAdmin } from '../../common/auth/roles.js';
import type { UserPrincipal } from '../../common/auth/principal.js';
import { assertTenantScope } from '../../common/auth/tenant-access.js';
import { AppException } from '../../common/errors/app.exception.js';
import { mapClass, type ClassDto, type ClassPageDto } from './dto/class.dto.js';
import {
  mapClassMember,
  type AddClassMemberDto,
  type ClassMemberDto,
} from './dto/class-member.dto.js';
import type { CreateClassDto } from './dto/create-class.dto.js';
import type { ListClassesQueryDto } from './dto/list-classes.query.dto.js';
import type { UpdateClassDto } from './dto/update-class.dto.js';
import { MembershipsRepository } from '../users/memberships.repository.js';
import { UsersRepository } from '../users/users.repository.js';
import type { ClassRole } from './class-member.entity.js';
import { ClassesRepository, type ClassMemberRow, type ClassRow } from './classes.repository.js';
import { generateJoinCode } from './join-code.js';
import { Clock } from '../../common/clock/clock.js';

// 31^8 codes make a collision rare; a handful of draws makes a failure practically impossible.
const JOIN_CODE_ATTEMPTS = 5;

const CLASS_ROLE_ORDER: ClassRole[] = ['teacher', 'assistant', 'student'];

/**
 * Classes of a school. Every method takes the tenant in scope (undefined: every tenant, for
 * super admins) and checks first that the caller may act there. Tenant admins (and super
 * admins) manage every class of their tenant; teachers the classes they teach or assist;
 * students read the classes they belong to. A class of another tenant is as absent as a
 * missing one (404).
 */
@Injectable()
export class ClassesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly classes: ClassesRepository,
    private readonly memberships: MembershipsRepository,
    private readonly users: UsersRepository,
    private readonly clock: Clock,
  ) {}

  async list(
    principal: UserPrincipal,
    tenantId: string | undefined,
    query: Omit<ListClassesQueryDto, 'tenant_id'>,
  ): Promise<ClassPageDto> {
    assertTenantScope(principal, tenantId);
    const limit = query.limit ?? 20;
    const offset = query.offset ?? 0;
    const { rows, total } = await this.classes.list(
      {
        tenantId,
        archived: query.archived ?? false,
        q: query.q,
        memberId: isTenantAdmin(principal) ? undefined : principal.userId,
      },
      principal.userId,
      { limit, offset },
    );
    return { items: rows.map((row) => this.view(principal, row)), total, limit, offset };
  }

  async get(
    principal: UserPrincipal,
    tenantId: string | undefined,
    classId: string,
  ): Promise<ClassDto> {
    assertTenantScope(principal, tenantId);
    const row = await this.visibleClass(principal, tenantId, classId);
    if (!canManage(principal, row) && row.viewer_role === null) {
      throw new AppException('AUTH_FORBIDDEN', 'You are not a member of this class');
    }
    return this.view(principal, row);
  }

  /** A teacher who makes a class teaches it from the start (same transaction). */
  async create(
    principal: UserPrincipal,
    tenantId: string | undefined,
    dto: Omit<CreateClassDto, 'tenant_id'>,
  ): Promise<ClassDto> {
    assertTenantScope(principal, tenantId);
    // A super admin's explicit null names no tenant either.
    if (!tenantId) {
      throw new AppException('COMMON_VALIDATION_FAILED', undefined, {
        fields: [{ field: 'tenant_id', errors: ['tenant_id is required for super admins'] }],
      });
    }
    const classId = await this.dataSource.transaction(async (manager) => {
      for (let attempt = 0; attempt < JOIN_CODE_ATTEMPTS; attempt += 1) {
        const id = await this.classes.insertUnlessCodeTaken(manager, {
          tenantId,
          name: dto.name.trim(),
          subject: dto.subject ?? null,
          grade: dto.grade ?? null,
          term: dto.term ?? null,
          joinCode: generateJoinCode(),
          createdBy: principal.userId,
        });
        if (id !== undefined) {
          if (principal.role === 'teacher') {
            await this.classes.insertMember(manager, id, principal.userId, 'teacher', {
              userId: principal.userId,
              role: 'teacher',
              at: this.clock.now(),
            });
          }
          return id;
        }
      }
      throw new AppException('COMMON_CONFLICT', 'No free join code found; try again');
    });
    return this.get(principal, tenantId, classId);
  }

  async update(
    principal: UserPrincipal,
    tenantId: string | undefined,
    classId: string,
    dto: UpdateClassDto,
  ): Promise<ClassDto> {
    assertTenantScope(principal, tenantId);
    const fields = {
      name: dto.name?.trim(),
      subject: dto.subject,
      grade: dto.grade,
      term: dto.term,
      archived: dto.archived,
    };
    if (Object.values(fields).every((value) => value === undefined)) {
      throw new AppException('COMMON_VALIDATION_FAILED', 'Nothing to change', { fields: [] });
    }
    await this.managedClass(principal, tenantId, classId);
    await this.classes.update(classId, fields);
    return this.get(principal, tenantId, classId);
  }

  /** The class goes with its memberships. */
  async remove(principal: UserPrincipal, tenantId: string | undefined, classId: string) {
    assertTenantScope(principal, tenantId);
    await this.managedClass(principal, tenantId, classId);
    await this.classes.delete(classId);
  }

  /** A new join code; the old one stops working at once. */
  async rotateJoinCode(
    principal: UserPrincipal,
    tenantId: string | undefined,
    classId: string,
  ): Promise<ClassDto> {
    assertTenantScope(principal, tenantId);
    await this.managedClass(principal, tenantId, classId);
    for (let attempt = 0; attempt < JOIN_CODE_ATTEMPTS; attempt += 1) {
      if (await this.classes.setJoinCode(classId, generateJoinCode())) {
        return this.get(principal, tenantId, classId);
      }
    }
    throw new AppException('COMMON_CONFLICT', 'No free join code found; try again');
  }

  async listMembers(
    principal: UserPrincipal,
    tenantId: string | undefined,
    classId: string,
  ): Promise<ClassMemberDto[]> {
    assertTenantScope(principal, tenantId);
    await this.managedClass(principal, tenantId, classId);
    return this.withNames(await this.classes.listMembers(classId));
  }

  /** Members with their names, by role (as listed) and then by name. */
  private async withNames(members: ClassMemberRow[]): Promise<ClassMemberDto[]> {
    const people = await this.users.summaries(members.map((member) => member.user_id));
    const rank = new Map(people.map((person, index) => [person.id, index]));
    const byId = new Map(people.map((person) => [person.id, person]));
    const roleRank = (member: ClassMemberRow) => CLASS_ROLE_ORDER.indexOf(member.role);
    return members
      .filter((member) => byId.has(member.user_id))
      .sort(
        (a, b) =>
          roleRank(a) - roleRank(b) || (rank.get(a.user_id) ?? 0) - (rank.get(b.user_id) ?? 0),
      )
      .map((member) => mapClassMember(member, byId.get(member.user_id)!));
  }

  /**
   * Assigns an active member of the class's school. Teaching or assisting needs a teacher or
   * admin of the school (409 CLASS_MEMBER_ROLE_NOT_ALLOWED): a pupil cannot be made staff here.
   */
  async addMember(
    principal: UserPrincipal,
    tenantId: string | undefined,
    classId: string,
    dto: AddClassMemberDto,
  ): Promise<ClassMemberDto> {
    assertTenantScope(principal, tenantId);
    const klass = await this.managedClass(principal, tenantId, classId);
    const tenantRole = await this.memberships.activeRole(dto.user_id, klass.tenant_id);
    if (tenantRole === undefined) {
      throw new AppException('CLASS_MEMBER_USER_NOT_FOUND');
    }
    if (dto.role !== 'student' && tenantRole === 'student') {
      throw new AppException('CLASS_MEMBER_ROLE_NOT_ALLOWED');
    }
    // Who put a pupil here decides when their teacher may reset their password.
    await this.classes.insertMember(undefined, classId, dto.user_id, dto.role, {
      userId: principal.userId,
      role: isTenantAdmin(principal) ? 'admin' : 'teacher',
      at: this.clock.now(),
    });
    const member = await this.classes.findMember(classId, dto.user_id);
    const [named] = member ? await this.withNames([member]) : [];
    if (!named) {
      throw new AppException('CLASS_MEMBER_NOT_FOUND');
    }
    return named;
  }

  async removeMember(
    principal: UserPrincipal,
    tenantId: string | undefined,
    classId: string,
    userId: string,
  ): Promise<void> {
    assertTenantScope(principal, tenantId);
    await this.managedClass(principal, tenantId, classId);
    if (!(await this.classes.removeMember(classId, userId))) {
      throw new AppException('CLASS_MEMBER_NOT_FOUND');
    }
  }

  /**
   * A student joins an open class of the school they are signed in to. Unknown codes, codes of
   * other schools and archived classes all answer 404, so codes cannot be probed.
   */
  async join(principal: UserPrincipal, tenantId: string | null, code: string): Promise<ClassDto> {
    if (principal.role !== 'student' || tenantId === null) {
      throw new AppException('AUTH_FORBIDDEN', 'Students join classes by code');
    }
    assertTenantScope(principal, tenantId);
    const target = await this.classes.findIdByJoinCode(code);
    if (!target || target.tenant_id !== tenantId || target.archived) {
      throw new AppException('CLASS_JOIN_CODE_INVALID');
    }
    await this.classes.insertMember(undefined, target.id, principal.userId, 'student', {
      userId: principal.userId,
      role: 'self',
      at: this.clock.now(),
    });
    return this.get(principal, tenantId, target.id);
  }

  /** The caller's classes in the tenant they are signed in to, with their role in each. */
  async listMine(
    principal: UserPrincipal,
    tenantId: string | null,
    archived: boolean,
  ): Promise<ClassDto[]> {
    if (tenantId === null) {
      throw new AppException('COMMON_FORBIDDEN', 'Sign in to a tenant first (switch-tenant)');
    }
    assertTenantScope(principal, tenantId);
    const rows = await this.classes.listForMember(principal.userId, tenantId, archived);
    return rows.map((row) => this.view(principal, row));
  }

  /** For other modules' class routes (LTI roster and grades): the class, if the caller manages it. */
  assertManages(
    principal: UserPrincipal,
    tenantId: string | undefined,
    classId: string,
  ): Promise<ClassRow> {
    assertTenantScope(principal, tenantId);
    return this.managedClass(principal, tenantId, classId);
  }

  /** A class the caller may change: admins of its tenant, its teachers and assistants. */
  private async managedClass(
    principal: UserPrincipal,
    tenantId: string | undefined,
    classId: string,
  ): Promise<ClassRow> {
    const row = await this.visibleClass(principal, tenantId, classId);
    if (!canManage(principal, row)) {
      throw new AppException('AUTH_FORBIDDEN', 'Only admins and the teachers of a class manage it');
    }
    return row;
  }

  private async visibleClass(
    principal: UserPrincipal,
    tenantId: string | undefined,
    classId: string,
  ): Promise<ClassRow> {
    const row = await this.classes.findById(classId, tenantId, principal.userId);
    if (!row) {
      throw new AppException('CLASS_NOT_FOUND');
    }
    return row;
  }

  private view(principal: UserPrincipal, row: ClassRow): ClassDto {
    return mapClass(row, { showJoinCode: canManage(principal, row) });
  }
}

/**
 * Admins manage every class in scope; teachers those they teach or assist. The tenant role is
 * checked too, so a teacher demoted to student loses the classes they taught.
 */
function canManage(principal: UserPrincipal, row: ClassRow): boolean {
  return (
    isTenantAdmin(principal) ||
    (principal.role === 'teacher' &&
      (row.viewer_role === 'teacher' || row.viewer_role === 'assistant'))
  );
}
