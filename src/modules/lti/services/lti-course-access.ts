import { Injectable } from '@nestjs/common';
import type { Principal } from '../../../common/auth/principal.js';
import { resolveTenantScope } from '../../../common/auth/tenant-access.js';
import { AppException } from '../../../common/errors/app.exception.js';
import { ClassesRepository } from '../../classes/classes.repository.js';
import { ClassesService } from '../../classes/classes.service.js';
import { LtiServicesRepository, type LtiCourse } from './lti-services.repository.js';

const NO_VIEWER = '00000000-0000-0000-0000-000000000000';

/**
 * The LMS course behind a class, for the people who manage the class: its teachers and
 * assistants, the school's admins, super admins; and for an API key of the class's school
 * (grades only, by scope). Another school's class is as absent as a missing one (404).
 */
@Injectable()
export class LtiCourseAccess {
  constructor(
    private readonly classesService: ClassesService,
    private readonly classes: ClassesRepository,
    private readonly courses: LtiServicesRepository,
  ) {}

  async managedCourse(principal: Principal, classId: string): Promise<LtiCourse> {
    const tenantId = resolveTenantScope(principal, undefined);
    if (principal.kind === 'user') {
      await this.classesService.assertManages(principal, tenantId, classId);
    } else if (
      principal.kind !== 'api_key' ||
      !(await this.classes.findById(classId, tenantId, NO_VIEWER))
    ) {
      throw new AppException('CLASS_NOT_FOUND');
    }
    const course = await this.courses.courseOfClass(classId);
    if (!course) {
      throw new AppException('LTI_CONTEXT_NOT_FOUND');
    }
    return course;
  }
}
