import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../../../common/clock/clock.js';
import { LtiServiceClient } from '../services/lti-service-client.js';
import { LtiServiceError } from '../services/lti-service-error.js';
import { LtiServicesRepository } from '../services/lti-services.repository.js';
import { AGS, AGS_SCOPE, lineItemServiceUrl } from './ags.js';
import { LtiGradesRepository } from './lti-grades.repository.js';

export type PublishOutcome = 'sent' | 'already_sent' | 'gone';

/**
 * One score publication (AGS 2.0 §3.4): the row's current grading POSTed to
 * `{lineitem}/scores` with the timestamp of our grading, so a late or retried job never
 * overwrites a newer score at the LMS (which keeps the newest timestamp), and one already
 * sent is not sent again.
 */
@Injectable()
export class LtiScorePublisher {
  private readonly logger = new Logger(LtiScorePublisher.name);

  constructor(
    private readonly grades: LtiGradesRepository,
    private readonly courses: LtiServicesRepository,
    private readonly client: LtiServiceClient,
    private readonly clock: Clock,
  ) {}

  async publish(scoreId: string, final: boolean): Promise<PublishOutcome> {
    const score = await this.grades.score(scoreId);
    if (!score) {
      return 'gone';
    }
    if (score.sent_graded_at && score.sent_graded_at >= score.graded_at) {
      return 'already_sent';
    }
    const course = await this.courses.course(score.platform_id, score.context_id);
    if (!course) {
      return 'gone';
    }
    try {
      await this.client.call(course.platform, {
        method: 'POST',
        url: lineItemServiceUrl(score.url, 'scores'),
        scopes: [AGS_SCOPE.score],
        accept: 'application/json',
        contentType: AGS.score,
        body: {
          userId: score.lms_user_id,
          ...(score.score_given === null
            ? {}
            : { scoreGiven: score.score_given, scoreMaximum: score.score_maximum }),
          activityProgress: score.activity_progress,
          gradingProgress: score.grading_progress,
          timestamp: score.graded_at.toISOString(),
          ...(score.comment === null ? {} : { comment: score.comment }),
        },
      });
    } catch (error) {
      const lastTry = final || (error instanceof LtiServiceError && !error.retryable);
      await this.grades.markFailed(
        scoreId,
        score.graded_at,
        error instanceof Error ? error.message : String(error),
        lastTry,
      );
      this.logger.warn({ score_id: scoreId, final: lastTry }, 'a score did not reach the LMS');
      throw error;
    }
    await this.grades.markSent(scoreId, score.graded_at, this.clock.now());
    return 'sent';
  }
}
