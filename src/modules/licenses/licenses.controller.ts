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
  Res,
} from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Audited } from '../../common/audit/audited.decorator.js';
import { Access } from '../../common/auth/access.decorator.js';
import { CurrentUser } from '../../common/auth/current-user.decorator.js';
import type { UserPrincipal } from '../../common/auth/principal.js';
import { resolveTenantScope } from '../../common/auth/tenant-access.js';
import { TenantInScope } from '../../common/auth/tenant-in-scope.decorator.js';
import { ApiErrors } from '../../common/errors/api-errors.decorator.js';
import { PageQueryDto } from '../../common/validation/page-query.dto.js';
import { UuidPipe } from '../../common/validation/uuid.pipe.js';
import { AssignSeatsDto } from './dto/assign-seats.dto.js';
import { CreateLicenseDto } from './dto/create-license.dto.js';
import { LicenseDto, LicensePageDto } from './dto/license.dto.js';
import { ListLicensesQueryDto } from './dto/list-licenses.query.dto.js';
import { SeatAssignmentDto, SeatPageDto } from './dto/seat.dto.js';
import { UpdateLicenseDto } from './dto/update-license.dto.js';
import { LicensesService } from './licenses.service.js';
import { SeatAssignments } from './seat-assignments.service.js';

@ApiTags('licenses')
@Access({ roles: ['admin'] })
@Controller('licenses')
export class LicensesController {
  constructor(
    private readonly licenses: LicensesService,
    private readonly seats: SeatAssignments,
  ) {}

  @Post()
  @Access({ roles: ['super_admin'] })
  @Audited({ action: 'license.created', resource: 'license' })
  @ApiOperation({ summary: 'Make a manual license for a school (super admins)' })
  @ApiCreatedResponse({ type: LicenseDto })
  @ApiErrors('AUTH_FORBIDDEN')
  create(@CurrentUser() user: UserPrincipal, @Body() dto: CreateLicenseDto): Promise<LicenseDto> {
    return this.licenses.create(user, dto);
  }

  @Get()
  @ApiOperation({
    summary: "Your school's licenses (super admins: every school's, or one with tenant_id)",
  })
  @ApiOkResponse({ type: LicensePageDto })
  @ApiErrors('COMMON_FORBIDDEN')
  list(
    @CurrentUser() user: UserPrincipal,
    @Query() query: ListLicensesQueryDto,
  ): Promise<LicensePageDto> {
    return this.licenses.list(user, resolveTenantScope(user, query.tenant_id), query);
  }

  @Get(':id')
  @Access({ roles: ['teacher', 'admin'] })
  @ApiOperation({
    summary: 'One license: total, used and available seats, and its status',
    description: 'Teachers read it when their school lets them assign seats.',
  })
  @ApiOkResponse({ type: LicenseDto })
  @ApiErrors('LICENSE_NOT_FOUND_OR_EXPIRED', 'AUTH_FORBIDDEN')
  get(
    @CurrentUser() user: UserPrincipal,
    @TenantInScope() tenantId: string | undefined,
    @Param('id', UuidPipe) id: string,
  ): Promise<LicenseDto> {
    return this.licenses.get(user, tenantId, id);
  }

  @Patch(':id')
  @Access({ roles: ['super_admin'] })
  @Audited({ action: 'license.updated', resource: 'license' })
  @ApiOperation({
    summary: 'Change seats or expiry, revoke or restore (super admins)',
    description:
      'Fewer seats than are taken make the license over_allocated (nobody loses a seat). A later expiry renews an expired license with its seats.',
  })
  @ApiOkResponse({ type: LicenseDto })
  @ApiErrors('LICENSE_NOT_FOUND_OR_EXPIRED', 'LICENSE_MANAGED_BY_STRIPE', 'AUTH_FORBIDDEN')
  update(
    @CurrentUser() user: UserPrincipal,
    @Param('id', UuidPipe) id: string,
    @Body() dto: UpdateLicenseDto,
  ): Promise<LicenseDto> {
    return this.licenses.update(user, id, dto);
  }

  @Post(':id/seats')
  @Access({ roles: ['teacher', 'admin'] })
  @Audited({ action: 'license.seats_assigned', resource: 'license' })
  @ApiOperation({
    summary: 'Assign seats: one student, up to 1,000, or every student of a class',
    description:
      'All or nothing: when seats are short nobody gets one (409 LICENSE_NO_SEATS_AVAILABLE, details.missing). A student who holds a seat already keeps it and is counted once; 200 when nothing new was taken, 201 otherwise. Teachers assign to students of their own classes when the school setting teachers_assign_seats is on.',
  })
  @ApiCreatedResponse({ type: SeatAssignmentDto })
  @ApiOkResponse({
    type: SeatAssignmentDto,
    description: 'Every student named held a seat already',
  })
  @ApiErrors(
    'LICENSE_NOT_FOUND_OR_EXPIRED',
    'LICENSE_NO_SEATS_AVAILABLE',
    'LICENSE_OVER_ALLOCATED',
    'LICENSE_STUDENT_NOT_FOUND',
    'LICENSE_SEATS_FOR_STUDENTS_ONLY',
    'CLASS_NOT_FOUND',
    'AUTH_FORBIDDEN',
  )
  async assign(
    @CurrentUser() user: UserPrincipal,
    @TenantInScope() tenantId: string | undefined,
    @Param('id', UuidPipe) id: string,
    @Body() dto: AssignSeatsDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SeatAssignmentDto> {
    const result = await this.seats.assign(user, tenantId, id, dto);
    reply.status(result.assigned > 0 ? HttpStatus.CREATED : HttpStatus.OK);
    return result;
  }

  @Get(':id/seats')
  @ApiOperation({ summary: 'Who holds seats, with their names and classes' })
  @ApiOkResponse({ type: SeatPageDto })
  @ApiErrors('LICENSE_NOT_FOUND_OR_EXPIRED', 'AUTH_FORBIDDEN')
  listSeats(
    @CurrentUser() user: UserPrincipal,
    @TenantInScope() tenantId: string | undefined,
    @Param('id', UuidPipe) id: string,
    @Query() query: PageQueryDto,
  ): Promise<SeatPageDto> {
    return this.licenses.seats(user, tenantId, id, query);
  }

  @Delete(':id/seats/:userId')
  @HttpCode(HttpStatus.NO_CONTENT)
  @Audited({ action: 'license.seat_released', resource: 'license' })
  @ApiOperation({ summary: "Free a student's seat" })
  @ApiNoContentResponse()
  @ApiErrors('LICENSE_NOT_FOUND_OR_EXPIRED', 'LICENSE_SEAT_NOT_FOUND', 'AUTH_FORBIDDEN')
  async release(
    @CurrentUser() user: UserPrincipal,
    @TenantInScope() tenantId: string | undefined,
    @Param('id', UuidPipe) id: string,
    @Param('userId', UuidPipe) userId: string,
  ): Promise<void> {
    await this.seats.release(user, tenantId, id, userId);
  }
}
