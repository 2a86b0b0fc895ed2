import { Controller, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Audited } from '../../../common/audit/audited.decorator.js';
import { Access } from '../../../common/auth/access.decorator.js';
import { CurrentUser } from '../../../common/auth/current-user.decorator.js';
import type { UserPrincipal } from '../../../common/auth/principal.js';
import { ApiErrors } from '../../../common/errors/api-errors.decorator.js';
import { AppException } from '../../../common/errors/app.exception.js';
import { UuidPipe } from '../../../common/validation/uuid.pipe.js';
import { LtiCourseAccess } from '../services/lti-course-access.js';
import {
  mapRosterSync,
  RequestedRosterSyncDto,
  RosterSyncListDto,
  RosterSyncQueryDto,
} from './dto/roster-sync.dto.js';
import { LtiRosterRepository } from './lti-roster.repository.js';
import { LtiRoster } from './lti-roster.service.js';

const RECENT_SYNCS = 10;

@ApiTags('lti')
@Access({ roles: ['teacher', 'admin'] })
@Controller('lti/contexts/:classId/roster-sync')
export class LtiRosterController {
  constructor(
    private readonly access: LtiCourseAccess,
    private readonly roster: LtiRoster,
    private readonly syncs: LtiRosterRepository,
  ) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @Audited({ action: 'lti.roster_sync_requested', resource: 'class', idParam: 'classId' })
  @ApiOperation({
    summary: "Sync the class with its LMS course's roster now (NRPS)",
    description:
      "The class's teachers and the school's admins. Queues a sync of the course's members: only the LMS's changes since the last read when it offers them (and a full read was done this week), else the whole roster; `full=true` reads the whole roster. When a sync is already queued or running, answers that one (`queued: false`). Follow it with GET.",
  })
  @ApiAcceptedResponse({ type: RequestedRosterSyncDto })
  @ApiErrors(
    'CLASS_NOT_FOUND',
    'AUTH_FORBIDDEN',
    'LTI_CONTEXT_NOT_FOUND',
    'LTI_SERVICE_NOT_OFFERED',
  )
  async request(
    @CurrentUser() user: UserPrincipal,
    @Param('classId', UuidPipe) classId: string,
    @Query() query: RosterSyncQueryDto,
  ): Promise<RequestedRosterSyncDto> {
    const course = await this.access.managedCourse(user, classId);
    if (!course.membershipsUrl) {
      throw new AppException(
        'LTI_SERVICE_NOT_OFFERED',
        'No launch of this course named a roster service',
      );
    }
    const { sync, created } = await this.roster.request(
      course,
      'manual',
      user.userId,
      query.full === true,
    );
    return { sync: mapRosterSync(sync), queued: created };
  }

  @Get()
  @ApiOperation({
    summary: "The class's last roster syncs: when, how many added and removed, errors",
  })
  @ApiOkResponse({ type: RosterSyncListDto })
  @ApiErrors('CLASS_NOT_FOUND', 'AUTH_FORBIDDEN', 'LTI_CONTEXT_NOT_FOUND')
  async recent(
    @CurrentUser() user: UserPrincipal,
    @Param('classId', UuidPipe) classId: string,
  ): Promise<RosterSyncListDto> {
    await this.access.managedCourse(user, classId);
    return { items: (await this.syncs.recent(classId, RECENT_SYNCS)).map(mapRosterSync) };
  }
}
