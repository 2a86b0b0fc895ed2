import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Patch,
  Post,
  Query,
} from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Audited } from '../../common/audit/audited.decorator.js';
import { CurrentUser } from '../../common/auth/current-user.decorator.js';
import type { UserPrincipal } from '../../common/auth/principal.js';
import { Access } from '../../common/auth/access.decorator.js';
import { resolveTenantScope } from '../../common/auth/tenant-access.js';
import { TenantInScope } from '../../common/auth/tenant-in-scope.decorator.js';
import { ClassDto, ClassPageDto } from './dto/class.dto.js';
import { AddClassMemberDto, ClassMemberDto } from './dto/class-member.dto.js';
import { CreateClassDto } from './dto/create-class.dto.js';
import { JoinClassDto } from './dto/join-class.dto.js';
import { ListClassesQueryDto } from './dto/list-classes.query.dto.js';
import { UpdateClassDto } from './dto/update-class.dto.js';
import { ClassesService } from './classes.service.js';
import { ApiErrors } from '../../common/errors/api-errors.decorator.js';
import { UuidPipe } from '../../common/validation/uuid.pipe.js';

@ApiTags('classes')
@Access({ roles: ['teacher', 'admin'] })
@Controller('classes')
export class ClassesController {
  constructor(private readonly classes: ClassesService) {}

  @Get()
  @Access({ roles: ['student', 'teacher', 'admin'] })
  @ApiOperation({
    summary: 'Classes of your school: all for admins, your own for teachers and students',
    description:
      'Filters: archived (default false), q (name or subject). Offset pagination with total. Students never see join codes.',
  })
  @ApiOkResponse({ type: ClassPageDto })
  @ApiErrors('COMMON_FORBIDDEN')
  list(
    @CurrentUser() user: UserPrincipal,
    @Query() query: ListClassesQueryDto,
  ): Promise<ClassPageDto> {
    return this.classes.list(user, resolveTenantScope(user, query.tenant_id), query);
  }

  @Post()
  @Audited({ action: 'class.created', resource: 'class' })
  @ApiOperation({
    summary: 'Make a class (a teacher who makes it teaches it)',
    description: 'A join code of 8 unambiguous characters is drawn for it.',
  })
  @ApiCreatedResponse({ type: ClassDto })
  @ApiErrors('COMMON_FORBIDDEN', 'COMMON_CONFLICT')
  create(@CurrentUser() user: UserPrincipal, @Body() dto: CreateClassDto): Promise<ClassDto> {
    return this.classes.create(user, resolveTenantScope(user, dto.tenant_id), dto);
  }

  @Post('join')
  @Access({ roles: ['student'] })
  @Audited({ action: 'class.joined', resource: 'class' })
  @ApiOperation({ summary: 'Join a class of your school with its join code (students)' })
  @ApiCreatedResponse({ type: ClassDto })
  @ApiErrors('AUTH_FORBIDDEN', 'CLASS_JOIN_CODE_INVALID', 'CLASS_MEMBER_EXISTS')
  join(@CurrentUser() user: UserPrincipal, @Body() dto: JoinClassDto): Promise<ClassDto> {
    return this.classes.join(user, user.tenantId, dto.code);
  }

  @Get(':id')
  @Access({ roles: ['student', 'teacher', 'admin'] })
  @ApiOperation({ summary: 'One class (students: only their own, without the join code)' })
  @ApiOkResponse({ type: ClassDto })
  @ApiErrors('CLASS_NOT_FOUND', 'AUTH_FORBIDDEN')
  get(
    @CurrentUser() user: UserPrincipal,
    @TenantInScope() tenantId: string | undefined,
    @Param('id', UuidPipe) id: string,
  ): Promise<ClassDto> {
    return this.classes.get(user, tenantId, id);
  }

  @Patch(':id')
  @Audited({ action: 'class.updated', resource: 'class' })
  @ApiOperation({
    summary: 'Rename, describe or archive a class',
    description: 'Only the fields sent change; null clears subject, grade or term.',
  })
  @ApiOkResponse({ type: ClassDto })
  @ApiErrors('CLASS_NOT_FOUND', 'AUTH_FORBIDDEN')
  update(
    @CurrentUser() user: UserPrincipal,
    @TenantInScope() tenantId: string | undefined,
    @Param('id', UuidPipe) id: string,
    @Body() dto: UpdateClassDto,
  ): Promise<ClassDto> {
    return this.classes.update(user, tenantId, id, dto);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @Audited({ action: 'class.deleted', resource: 'class' })
  @ApiOperation({ summary: 'Delete a class and its memberships' })
  @ApiNoContentResponse()
  @ApiErrors('CLASS_NOT_FOUND', 'AUTH_FORBIDDEN')
  async remove(
    @CurrentUser() user: UserPrincipal,
    @TenantInScope() tenantId: string | undefined,
    @Param('id', UuidPipe) id: string,
  ): Promise<void> {
    await this.classes.remove(user, tenantId, id);
  }

  @Post(':id/join-code')
  @HttpCode(HttpStatus.OK)
  @Audited({ action: 'class.join_code_rotated', resource: 'class' })
  @ApiOperation({ summary: 'Draw a new join code; the old one stops working' })
  @ApiOkResponse({ type: ClassDto })
  @ApiErrors('CLASS_NOT_FOUND', 'AUTH_FORBIDDEN', 'COMMON_CONFLICT')
  rotateJoinCode(
    @CurrentUser() user: UserPrincipal,
    @TenantInScope() tenantId: string | undefined,
    @Param('id', UuidPipe) id: string,
  ): Promise<ClassDto> {
    return this.classes.rotateJoinCode(user, tenantId, id);
  }

  @Get(':id/members')
  @ApiOperation({ summary: 'Members of a class: teachers, assistants, then students' })
  @ApiOkResponse({ type: [ClassMemberDto] })
  @ApiErrors('CLASS_NOT_FOUND', 'AUTH_FORBIDDEN')
  members(
    @CurrentUser() user: UserPrincipal,
    @TenantInScope() tenantId: string | undefined,
    @Param('id', UuidPipe) id: string,
  ): Promise<ClassMemberDto[]> {
    return this.classes.listMembers(user, tenantId, id);
  }

  @Post(':id/members')
  @Audited({ action: 'class.member_added', resource: 'class' })
  @ApiOperation({
    summary: 'Assign a member of your school to the class',
    description:
      'Teachers and assistants must be teachers or admins of the school (409 CLASS_MEMBER_ROLE_NOT_ALLOWED).',
  })
  @ApiCreatedResponse({ type: ClassMemberDto })
  @ApiErrors(
    'CLASS_NOT_FOUND',
    'CLASS_MEMBER_USER_NOT_FOUND',
    'AUTH_FORBIDDEN',
    'CLASS_MEMBER_EXISTS',
    'CLASS_MEMBER_ROLE_NOT_ALLOWED',
  )
  addMember(
    @CurrentUser() user: UserPrincipal,
    @TenantInScope() tenantId: string | undefined,
    @Param('id', UuidPipe) id: string,
    @Body() dto: AddClassMemberDto,
  ): Promise<ClassMemberDto> {
    return this.classes.addMember(user, tenantId, id, dto);
  }

  @Delete(':id/members/:userId')
  @HttpCode(HttpStatus.NO_CONTENT)
  @Audited({ action: 'class.member_removed', resource: 'class' })
  @ApiOperation({ summary: 'Take a member out of the class' })
  @ApiNoContentResponse()
  @ApiErrors('CLASS_NOT_FOUND', 'CLASS_MEMBER_NOT_FOUND', 'AUTH_FORBIDDEN')
  async removeMember(
    @CurrentUser() user: UserPrincipal,
    @TenantInScope() tenantId: string | undefined,
    @Param('id', UuidPipe) id: string,
    @Param('userId', UuidPipe) userId: string,
  ): Promise<void> {
    await this.classes.removeMember(user, tenantId, id, userId);
  }
}
