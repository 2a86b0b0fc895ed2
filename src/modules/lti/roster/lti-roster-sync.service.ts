import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { Clock } from '../../../common/clock/clock.js';
import { isUniqueViolation } from '../../../common/database/sql.js';
import { AppException } from '../../../common/errors/app.exception.js';
import { ClassesRepository } from '../../classes/classes.repository.js';
import { mapRoles } from '../launch/lti-claims.js';
import { LtiProvisioning } from '../launch/lti-provisioning.service.js';
import { LtiServiceClient, parseLinkHeader } from '../services/lti-service-client.js';
import { LtiServiceError } from '../services/lti-service-error.js';
import { LtiServicesRepository, type LtiCourse } from '../services/lti-services.repository.js';
import {
  LtiRosterRepository,
  type RosterCounts,
  type RosterSyncRow,
  type SeenMember,
} from './lti-roster.repository.js';
import { NRPS_CONTAINER, NRPS_SCOPE, readRosterPage, type RosterMember } from './roster-page.js';

const MAX_PAGES = 2_000;
const REMOVAL_BATCH = 500;
/** Differences alone never show who left without a trace: a full read at least this often. */
export const FULL_SYNC_EVERY_MS = 7 * 24 * 60 * 60 * 1000;

export interface RosterSyncOutcome {
  ran: boolean;
  counts?: RosterCounts;
}

/**
 * One roster sync (NRPS 2.0): the course's members, page after page (`Link: rel="next"`), each
 * page applied before the next is fetched, so memory stays bounded for any roster. New members
 * are found or created by (issuer, user_id) as at a launch, roles mapped the same way; Inactive
 * and Deleted ones leave the class; after a full read, those not seen leave it too. Accounts
 * are never deleted. A member whose roles and status did not change costs no write but the
 * sync's mark.
 */
@Injectable()
export class LtiRosterSync {
  private readonly logger = new Logger(LtiRosterSync.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly roster: LtiRosterRepository,
    private readonly courses: LtiServicesRepository,
    private readonly client: LtiServiceClient,
    private readonly provisioning: LtiProvisioning,
    private readonly classes: ClassesRepository,
    private readonly clock: Clock,
  ) {}

  /** Runs a queued sync; `final`: no retry follows a failure of this attempt. */
  async run(syncId: string, final: boolean): Promise<RosterSyncOutcome> {
    const queued = await this.roster.find(syncId);
    const course = queued && (await this.courses.course(queued.platform_id, queued.context_id));
    if (!queued || queued.status !== 'queued') {
      return { ran: false };
    }
    const counts: RosterCounts = { pages: 0, members: 0, added: 0, removed: 0, skipped: 0 };
    if (!course?.membershipsUrl) {
      await this.roster.fail(
        syncId,
        { code: 'LTI_SERVICE_NOT_OFFERED', message: 'no launch named a roster service' },
        true,
        counts,
        this.clock.now(),
      );
      return { ran: false };
    }
    const sync = await this.roster.start(syncId, await this.modeOf(course), this.clock.now());
    if (!sync?.mode) {
      return { ran: false };
    }
    const mode = sync.mode;
    try {
      await this.readPages(sync, course, mode, counts);
      if (mode === 'full') {
        counts.removed += await this.removeUnseen(sync, course);
      }
      await this.roster.finish(syncId, counts, this.clock.now());
      this.logger.log({ sync_id: syncId, mode, ...counts }, 'LMS roster synced');
      return { ran: true, counts };
    } catch (error) {
      const failure = describe(error);
      const lastTry = final || (error instanceof LtiServiceError && !error.retryable);
      await this.roster.fail(syncId, failure, lastTry, counts, this.clock.now());
      this.logger.warn({ sync_id: syncId, error_code: failure.code }, 'LMS roster sync failed');
      throw error;
    }
  }

  private async modeOf(course: LtiCourse): Promise<'full' | 'differences'> {
    if (!course.differencesUrl) {
      return 'full';
    }
    const lastFull = await this.roster.lastFullSync(course.platform.id, course.contextId);
    return lastFull && this.clock.nowMs() - lastFull.getTime() < FULL_SYNC_EVERY_MS
      ? 'differences'
      : 'full';
  }

  private async readPages(
    sync: RosterSyncRow,
    course: LtiCourse,
    mode: 'full' | 'differences',
    counts: RosterCounts,
  ): Promise<void> {
    let url: string | undefined =
      mode === 'differences' ? course.differencesUrl! : course.membershipsUrl!;
    let differences: string | null = null;
    while (url) {
      if (counts.pages >= MAX_PAGES) {
        throw new LtiServiceError('refused', null, `the roster has more than ${MAX_PAGES} pages`);
      }
      const answer = await this.client.call(course.platform, {
        method: 'GET',
        url,
        scopes: [NRPS_SCOPE],
        accept: NRPS_CONTAINER,
      });
      let page: ReturnType<typeof readRosterPage>;
      try {
        page = readRosterPage(answer.json());
      } catch (error) {
        throw new LtiServiceError('refused', answer.status, (error as Error).message);
      }
      counts.pages += 1;
      counts.skipped += page.unreadable;
      await this.applyPage(sync, course, page.members, counts);
      const links = parseLinkHeader(answer.headers.get('link'));
      differences = links.differences ?? differences;
      url = links.next;
    }
    await this.courses.setDifferencesUrl(course.platform.id, course.contextId, differences);
  }

  private async applyPage(
    sync: RosterSyncRow,
    course: LtiCourse,
    members: RosterMember[],
    counts: RosterCounts,
  ): Promise<void> {
    const seen = await this.roster.seen(
      course.platform.id,
      course.contextId,
      members.map((member) => member.user_id),
    );
    const unchanged: string[] = [];
    for (const member of members) {
      if (member.status === 'Active') {
        counts.members += 1;
      }
      const before = seen.get(member.user_id);
      if (before && before.userId && before.status === member.status && sameRoles(before, member)) {
        unchanged.push(member.user_id);
        continue;
      }
      await this.applyMember(sync, course, member, before, counts);
    }
    await this.roster.markSeen(course.platform.id, course.contextId, sync.id, unchanged);
  }

  private async applyMember(
    sync: RosterSyncRow,
    course: LtiCourse,
    member: RosterMember,
    before: SeenMember | undefined,
    counts: RosterCounts,
  ): Promise<void> {
    const now = this.clock.now();
    for (let attempt = 0; ; attempt += 1) {
      try {
        await this.dataSource.transaction(async (manager) => {
          let userId = before?.userId ?? null;
          if (member.status === 'Active') {
            const role = mapRoles(member.roles);
            const user = await this.provisioning.rosterPerson(
              manager,
              course.platform,
              { ...member },
              role,
              now,
            );
            userId = user.id;
            if (
              await this.classes.upsertMember(manager, course.classId, user.id, role.classRole, now)
            ) {
              counts.added += 1;
            }
          } else if (userId) {
            counts.removed += (
              await this.classes.removeMembers(manager, course.classId, [userId])
            ).length;
          }
          await this.roster.saveMember(
            manager,
            course.platform.id,
            course.contextId,
            sync.id,
            { lmsUserId: member.user_id, userId, status: member.status, roles: member.roles },
            now,
          );
        });
        return;
      } catch (error) {
        // A launch of the same person created them meanwhile: the second try finds them.
        if (attempt === 0 && isUniqueViolation(error)) {
          continue;
        }
        if (error instanceof AppException) {
          // Suspended in the school, another platform's identity, the school full: skipped.
          counts.skipped += 1;
          this.logger.warn(
            { sync_id: sync.id, error_code: error.code },
            'an LMS roster member was not added',
          );
          return;
        }
        throw error;
      }
    }
  }

  private async removeUnseen(sync: RosterSyncRow, course: LtiCourse): Promise<number> {
    let removed = 0;
    for (;;) {
      const batch = await this.dataSource.transaction(async (manager) => {
        const { taken, userIds } = await this.roster.takeUnseen(
          manager,
          course.platform.id,
          course.contextId,
          sync.id,
          this.clock.now(),
          REMOVAL_BATCH,
        );
        removed += (await this.classes.removeMembers(manager, course.classId, userIds)).length;
        return taken;
      });
      if (batch < REMOVAL_BATCH) {
        return removed;
      }
    }
  }
}

function sameRoles(before: SeenMember, member: RosterMember): boolean {
  return (
    before.roles.length === member.roles.length &&
    before.roles.every((role, index) => role === member.roles[index])
  );
}

function describe(error: unknown): { code: string; message: string | null } {
  if (error instanceof LtiServiceError) {
    return { code: error.toAppException().code, message: error.message };
  }
  return { code: 'INTERNAL_ERROR', message: error instanceof Error ? error.message : null };
}
