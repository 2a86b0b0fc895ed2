import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../../../common/clock/clock.js';
import { LtiJobs } from '../lti-jobs.js';
import type { LtiCourse } from '../services/lti-services.repository.js';
import { LtiServicesRepository } from '../services/lti-services.repository.js';
import {
  LtiRosterRepository,
  type RosterSyncRow,
  type RosterSyncTrigger,
} from './lti-roster.repository.js';

/** Asks for roster syncs: one per course at a time, queued on the `lti` queue. */
@Injectable()
export class LtiRoster {
  private readonly logger = new Logger(LtiRoster.name);

  constructor(
    private readonly roster: LtiRosterRepository,
    private readonly courses: LtiServicesRepository,
    private readonly jobs: LtiJobs,
    private readonly clock: Clock,
  ) {}

  /** The sync queued for the course, or the one already queued or running. */
  async request(
    course: Pick<LtiCourse, 'contextId' | 'classId'> & { platform: { id: string } },
    trigger: RosterSyncTrigger,
    requestedBy: string | null,
    full = false,
  ): Promise<{ sync: RosterSyncRow; created: boolean }> {
    const result = await this.roster.request({
      platformId: course.platform.id,
      contextId: course.contextId,
      classId: course.classId,
      trigger,
      requestedBy,
      mode: full ? 'full' : null,
      at: this.clock.now(),
    });
    if (result.created) {
      await this.jobs.rosterSync(result.sync.id);
    }
    return result;
  }

  /** After a teacher's first launch of a course: never fails the launch. */
  async afterLaunch(platformId: string, contextId: string): Promise<void> {
    try {
      const course = await this.courses.course(platformId, contextId);
      if (course?.membershipsUrl) {
        await this.request(course, 'launch', null);
      }
    } catch (error) {
      this.logger.warn({ err: error, platform_id: platformId }, 'no roster sync queued');
    }
  }

  /** Every course with a roster service (the nightly run). */
  async requestAll(): Promise<number> {
    let queued = 0;
    for (const course of await this.courses.coursesWithRoster()) {
      if ((await this.request(course, 'nightly', null)).created) {
        queued += 1;
      }
    }
    return queued;
  }
}
