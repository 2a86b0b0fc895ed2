import { Injectable } from '@nestjs/common';
import type { Principal } from '../../../common/auth/principal.js';
import { actorReference } from '../../../common/auth/principal.js';
import { Clock } from '../../../common/clock/clock.js';
import { AppException } from '../../../common/errors/app.exception.js';
import { ClassesRepository } from '../../classes/classes.repository.js';
import { LtiJobs } from '../lti-jobs.js';
import { LtiCourseAccess } from '../services/lti-course-access.js';
import { LtiServiceClient } from '../services/lti-service-client.js';
import { LtiServiceError } from '../services/lti-service-error.js';
import { AGS, AGS_SCOPE, lineItemServiceUrl } from './ags.js';
import { type RetriedScoresDto } from './dto/line-item.dto.js';
import {
  mapScore,
  type LineItemResultListDto,
  type ScoreListDto,
  type SubmitScoreDto,
  type SubmittedScoreDto,
} from './dto/score.dto.js';
import { LtiGradesRepository } from './lti-grades.repository.js';

const FUTURE_SLACK_MS = 5 * 60 * 1000;

/**
 * Scores for the LMS gradebook (AGS 2.0): kept here first (the newest grading per student
 * wins), then published by a job of the `lti` queue, so the caller never waits for the LMS.
 */
@Injectable()
export class LtiScores {
  constructor(
    private readonly access: LtiCourseAccess,
    private readonly grades: LtiGradesRepository,
    private readonly classes: ClassesRepository,
    private readonly client: LtiServiceClient,
    private readonly jobs: LtiJobs,
    private readonly clock: Clock,
  ) {}

  async submit(
    principal: Principal,
    classId: string,
    dto: SubmitScoreDto,
  ): Promise<SubmittedScoreDto> {
    const course = await this.access.managedCourse(principal, classId);
    const now = this.clock.now();
    const gradedAt = dto.timestamp ? new Date(dto.timestamp) : now;
    if (gradedAt.getTime() > now.getTime() + FUTURE_SLACK_MS) {
      throw new AppException('COMMON_VALIDATION_FAILED', undefined, {
        fields: [{ field: 'timestamp', errors: ['timestamp must not be in the future'] }],
      });
    }
    const lineItem = await this.grades.lineItem(classId, dto.line_item_id);
    if (!lineItem) {
      throw new AppException('LTI_LINE_ITEM_NOT_FOUND');
    }
    if (!course.agsScopes.includes(AGS_SCOPE.score)) {
      throw new AppException(
        'LTI_SERVICE_NOT_OFFERED',
        'The LMS has not let this tool send scores for the course',
      );
    }
    if (!(await this.classes.memberRole(classId, dto.user_id))) {
      throw new AppException('LTI_SCORE_NOT_IN_CLASS');
    }
    const lmsUserId = await this.grades.lmsUserId(course.platform.issuer, dto.user_id);
    if (!lmsUserId) {
      throw new AppException('LTI_SCORE_NO_IDENTITY');
    }
    const { row, taken } = await this.grades.upsertScore({
      lineItemId: lineItem.id,
      userId: dto.user_id,
      lmsUserId,
      scoreGiven: dto.score_given ?? null,
      scoreMaximum: dto.score_maximum ?? null,
      activityProgress: dto.activity_progress,
      gradingProgress: dto.grading_progress,
      comment: dto.comment ?? null,
      gradedAt,
      requestedBy: actorReference(principal) ?? null,
    });
    if (taken) {
      await this.jobs.publishScore(row.id, String(row.graded_at.getTime()));
    }
    return { score: mapScore(row), accepted: taken };
  }

  async list(principal: Principal, classId: string, lineItemId: string): Promise<ScoreListDto> {
    await this.access.managedCourse(principal, classId);
    await this.lineItemOf(classId, lineItemId);
    return { items: (await this.grades.scoresOf(lineItemId)).map(mapScore) };
  }

  async retryFailed(
    principal: Principal,
    classId: string,
    lineItemId: string,
  ): Promise<RetriedScoresDto> {
    await this.access.managedCourse(principal, classId);
    await this.lineItemOf(classId, lineItemId);
    const ids = await this.grades.requeueFailed(lineItemId);
    const round = `retry-${this.clock.nowMs()}`;
    for (const id of ids) {
      await this.jobs.publishScore(id, round);
    }
    return { queued: ids.length };
  }

  /** What the LMS holds for the line item (its results), mapped to our users. */
  async results(
    principal: Principal,
    classId: string,
    lineItemId: string,
  ): Promise<LineItemResultListDto> {
    const course = await this.access.managedCourse(principal, classId);
    const lineItem = await this.lineItemOf(classId, lineItemId);
    if (!course.agsScopes.includes(AGS_SCOPE.resultReadonly)) {
      throw new AppException(
        'LTI_SERVICE_NOT_OFFERED',
        'The LMS has not let this tool read results of the course',
      );
    }
    let body: unknown;
    try {
      const answer = await this.client.call(course.platform, {
        method: 'GET',
        url: lineItemServiceUrl(lineItem.url, 'results'),
        scopes: [AGS_SCOPE.resultReadonly],
        accept: AGS.resultContainer,
      });
      body = answer.json();
    } catch (error) {
      throw error instanceof LtiServiceError ? error.toAppException() : error;
    }
    const results = (Array.isArray(body) ? body : []) as Array<Record<string, unknown>>;
    const lmsIds = results
      .map((result) => result?.userId)
      .filter((id): id is string => typeof id === 'string');
    const users = await this.grades.usersOf(course.platform.issuer, lmsIds);
    return {
      items: results
        .filter((result) => typeof result?.userId === 'string')
        .map((result) => ({
          user_id: users.get(result.userId as string) ?? null,
          lms_user_id: result.userId as string,
          result_score: numberOrNull(result.resultScore),
          result_maximum: numberOrNull(result.resultMaximum),
          comment: typeof result.comment === 'string' ? result.comment : null,
        })),
    };
  }

  private async lineItemOf(classId: string, lineItemId: string) {
    const lineItem = await this.grades.lineItem(classId, lineItemId);
    if (!lineItem) {
      throw new AppException('LTI_LINE_ITEM_NOT_FOUND');
    }
    return lineItem;
  }
}

function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
