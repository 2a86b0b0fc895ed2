import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../../common/auth/current-user.decorator.js';
import type { UserPrincipal } from '../../common/auth/principal.js';
import { Access } from '../../common/auth/access.decorator.js';
import { ClassDto } from './dto/class.dto.js';
import { ArchivedQueryDto } from './dto/list-classes.query.dto.js';
import { ClassesService } from './classes.service.js';
import { ApiErrors } from '../../common/errors/api-errors.decorator.js';

// `users/me` is shared: the users module serves the profile itself, auth the password and
// sessions, identities the linked sign-ins, and this controller the caller's classes.
@ApiTags('classes')
@Controller('users/me/classes')
export class MyClassesController {
  constructor(private readonly classes: ClassesService) {}

  @Get()
  @Access({ roles: ['student', 'teacher', 'admin'] })
  @ApiOperation({
    summary: 'Your classes in the school you are signed in to, with your role in each',
    description: 'Current classes by default; archived=true for archived ones.',
  })
  @ApiOkResponse({ type: [ClassDto] })
  @ApiErrors('COMMON_FORBIDDEN')
  list(@CurrentUser() user: UserPrincipal, @Query() query: ArchivedQueryDto): Promise<ClassDto[]> {
    return this.classes.listMine(user, user.tenantId, query.archived ?? false);
  }
}
