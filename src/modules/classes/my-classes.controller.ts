import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../../common/auth/current-user.decorator.js';
import type { UserPrincipal } from '../../common/auth/principal.js';
import { Roles } from '../../common/auth/roles.decorator.js';
import { ClassDto } from './dto/class.dto.js';
import { ArchivedQueryDto } from './dto/list-classes.query.dto.js';
import { ClassesService } from './classes.service.js';

// A path of its own under users/me: the users module owns `users/me` itself and its other children.
@ApiTags('classes')
@ApiBearerAuth('bearer')
@Controller('users/me/classes')
export class MyClassesController {
  constructor(private readonly classes: ClassesService) {}

  @Get()
  @Roles('student', 'teacher', 'admin')
  @ApiOperation({
    summary: 'Your classes in the school you are signed in to, with your role in each',
    description: 'Current classes by default; archived=true for archived ones.',
  })
  @ApiOkResponse({ type: [ClassDto] })
  list(@CurrentUser() user: UserPrincipal, @Query() query: ArchivedQueryDto): Promise<ClassDto[]> {
    return this.classes.listMine(user, user.tenantId, query.archived ?? false);
  }
}
