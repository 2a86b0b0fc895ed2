import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { queryOne, queryRows } from '../../../common/database/sql.js';

export interface LineItemRow {
  id: string;
  platform_id: string;
  context_id: string;
  class_id: string;
  url: string;
  label: string;
  score_maximum: number;
  resource_id: string | null;
  tag: string | null;
  resource_link_id: string | null;
  created_at: Date;
  pending: number;
  sent: number;
  failed: number;
}

export interface ScoreRow {
  id: string;
  line_item_id: string;
  user_id: string;
  lms_user_id: string;
  score_given: number | null;
  score_maximum: number | null;
  activity_progress: string;
  grading_progress: string;
  comment: string | null;
  graded_at: Date;
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  last_error: string | null;
  sent_graded_at: Date | null;
  sent_at: Date | null;
  updated_at: Date;
}

export interface NewScore {
  lineItemId: string;
  userId: string;
  lmsUserId: string;
  scoreGiven: number | null;
  scoreMaximum: number | null;
  activityProgress: string;
  gradingProgress: string;
  comment: string | null;
  gradedAt: Date;
  requestedBy: string | null;
}

const LINE_ITEM_COLUMNS = `li.id, li.platform_id, li.context_id, li.class_id, li.url, li.label,
  li.score_maximum, li.resource_id, li.tag, li.resource_link_id, li.created_at`;
const SCORE_COUNTS = `
  COALESCE((SELECT count(*) FILTER (WHERE s.status = 'pending') FROM lti_scores s WHERE s.line_item_id = li.id), 0)::int AS pending,
  COALESCE((SELECT count(*) FILTER (WHERE s.status = 'sent') FROM lti_scores s WHERE s.line_item_id = li.id), 0)::int AS sent,
  COALESCE((SELECT count(*) FILTER (WHERE s.status = 'failed') FROM lti_scores s WHERE s.line_item_id = li.id), 0)::int AS failed`;
const SCORE_COLUMNS = `id, line_item_id, user_id, lms_user_id, score_given, score_maximum,
  activity_progress, grading_progress, comment, graded_at, status, attempts, last_error,
  sent_graded_at, sent_at, updated_at`;

/** Line items of LMS courses (lti_line_items) and the scores published to them (lti_scores). */
@Injectable()
export class LtiGradesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async lineItems(classId: string): Promise<LineItemRow[]> {
    return queryRows<LineItemRow>(
      this.dataSource,
      `SELECT ${LINE_ITEM_COLUMNS}, ${SCORE_COUNTS} FROM lti_line_items li
        WHERE li.class_id = $1 ORDER BY li.created_at, li.id`,
      [classId],
    );
  }

  async lineItem(
    classId: string,
    lineItemId: string,
    db: EntityManager | DataSource = this.dataSource,
  ): Promise<LineItemRow | undefined> {
    return queryOne<LineItemRow>(
      db,
      `SELECT ${LINE_ITEM_COLUMNS}, ${SCORE_COUNTS} FROM lti_line_items li
        WHERE li.class_id = $1 AND li.id = $2`,
      [classId, lineItemId],
    );
  }

  async lineItemByKey(
    classId: string,
    resourceId: string,
    tag: string | null,
    db: EntityManager | DataSource = this.dataSource,
  ): Promise<LineItemRow | undefined> {
    return queryOne<LineItemRow>(
      db,
      `SELECT ${LINE_ITEM_COLUMNS}, ${SCORE_COUNTS} FROM lti_line_items li
        WHERE li.class_id = $1 AND li.resource_id = $2 AND li.tag IS NOT DISTINCT FROM $3
        ORDER BY li.created_at LIMIT 1`,
      [classId, resourceId, tag],
    );
  }

  /**
   * Runs `work` in a transaction holding a lock on the class's (resource, tag) key, with the line
   * item already kept under that key, if any: instances creating the same column wait for each
   * other instead of each making one at the LMS. The lock is held across the LMS's answer (rare,
   * teacher-driven, bounded by LTI_SERVICE_TIMEOUT_MS).
   */
  withLineItemKey<T>(
    classId: string,
    resourceId: string,
    tag: string | null,
    work: (manager: EntityManager, known: LineItemRow | undefined) => Promise<T>,
  ): Promise<T> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
        `lti_line_items:${classId}:${resourceId}:${tag ?? ''}`,
      ]);
      return work(manager, await this.lineItemByKey(classId, resourceId, tag, manager));
    });
  }

  /** The LMS's line item, kept (or refreshed) by its URL. */
  async saveLineItem(
    item: {
      platformId: string;
      contextId: string;
      classId: string;
      url: string;
      label: string;
      scoreMaximum: number;
      resourceId: string | null;
      tag: string | null;
      resourceLinkId: string | null;
      createdBy: string | null;
    },
    db: EntityManager | DataSource = this.dataSource,
  ): Promise<string> {
    const row = await queryOne<{ id: string }>(
      db,
      `INSERT INTO lti_line_items (platform_id, context_id, class_id, url, label, score_maximum,
                                   resource_id, tag, resource_link_id, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (platform_id, url) DO UPDATE
         SET label = EXCLUDED.label, score_maximum = EXCLUDED.score_maximum,
             resource_id = EXCLUDED.resource_id, tag = EXCLUDED.tag,
             resource_link_id = EXCLUDED.resource_link_id
       RETURNING id`,
      [
        item.platformId,
        item.contextId,
        item.classId,
        item.url,
        item.label,
        item.scoreMaximum,
        item.resourceId,
        item.tag,
        item.resourceLinkId,
        item.createdBy,
      ],
    );
    return row!.id;
  }

  /**
   * The newest grading of (line item, student) wins: an older one changes nothing. Answers the
   * row and whether this grading was taken (then it is pending publication).
   */
  async upsertScore(score: NewScore): Promise<{ row: ScoreRow; taken: boolean }> {
    const taken = await queryOne<ScoreRow>(
      this.dataSource,
      `INSERT INTO lti_scores (line_item_id, user_id, lms_user_id, score_given, score_maximum,
                               activity_progress, grading_progress, comment, graded_at,
                               requested_by, status, attempts, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'pending', 0, now())
       ON CONFLICT (line_item_id, user_id) DO UPDATE
         SET lms_user_id = EXCLUDED.lms_user_id, score_given = EXCLUDED.score_given,
             score_maximum = EXCLUDED.score_maximum,
             activity_progress = EXCLUDED.activity_progress,
             grading_progress = EXCLUDED.grading_progress, comment = EXCLUDED.comment,
             graded_at = EXCLUDED.graded_at, requested_by = EXCLUDED.requested_by,
             status = 'pending', attempts = 0, last_error = NULL, updated_at = now()
         WHERE lti_scores.graded_at < EXCLUDED.graded_at
       RETURNING ${SCORE_COLUMNS}`,
      [
        score.lineItemId,
        score.userId,
        score.lmsUserId,
        score.scoreGiven,
        score.scoreMaximum,
        score.activityProgress,
        score.gradingProgress,
        score.comment,
        score.gradedAt,
        score.requestedBy,
      ],
    );
    if (taken) {
      return { row: taken, taken: true };
    }
    const current = await queryOne<ScoreRow>(
      this.dataSource,
      `SELECT ${SCORE_COLUMNS} FROM lti_scores WHERE line_item_id = $1 AND user_id = $2`,
      [score.lineItemId, score.userId],
    );
    return { row: current!, taken: false };
  }

  async score(
    scoreId: string,
  ): Promise<(ScoreRow & { url: string; platform_id: string; context_id: string }) | undefined> {
    return queryOne(
      this.dataSource,
      `SELECT s.id, s.line_item_id, s.user_id, s.lms_user_id, s.score_given, s.score_maximum,
              s.activity_progress, s.grading_progress, s.comment, s.graded_at, s.status,
              s.attempts, s.last_error, s.sent_graded_at, s.sent_at, s.updated_at,
              li.url, li.platform_id, li.context_id
         FROM lti_scores s JOIN lti_line_items li ON li.id = s.line_item_id
        WHERE s.id = $1`,
      [scoreId],
    );
  }

  async scoresOf(lineItemId: string): Promise<ScoreRow[]> {
    return queryRows<ScoreRow>(
      this.dataSource,
      `SELECT ${SCORE_COLUMNS} FROM lti_scores WHERE line_item_id = $1 ORDER BY updated_at DESC, id`,
      [lineItemId],
    );
  }

  /** The grading sent; a newer one taken meanwhile stays pending for its own job. */
  async markSent(scoreId: string, gradedAt: Date, at: Date): Promise<void> {
    await this.dataSource.query(
      `UPDATE lti_scores
          SET sent_graded_at = GREATEST(sent_graded_at, $2), sent_at = $3, attempts = attempts + 1,
              status = CASE WHEN graded_at <= $2 THEN 'sent' ELSE status END,
              last_error = CASE WHEN graded_at <= $2 THEN NULL ELSE last_error END
        WHERE id = $1`,
      [scoreId, gradedAt, at],
    );
  }

  /** A failed attempt; `final`: no retry follows, the score shows as failed. */
  async markFailed(scoreId: string, gradedAt: Date, error: string, final: boolean) {
    await this.dataSource.query(
      `UPDATE lti_scores
          SET attempts = attempts + 1, last_error = $3,
              status = CASE WHEN $4 AND graded_at = $2 THEN 'failed' ELSE status END
        WHERE id = $1`,
      [scoreId, gradedAt, error.slice(0, 1000), final],
    );
  }

  /** Failed scores of the line item, pending again; answers their ids. */
  async requeueFailed(lineItemId: string): Promise<string[]> {
    const rows = await queryRows<{ id: string }>(
      this.dataSource,
      `UPDATE lti_scores SET status = 'pending', last_error = NULL, updated_at = now()
        WHERE line_item_id = $1 AND status = 'failed' RETURNING id`,
      [lineItemId],
    );
    return rows.map((row) => row.id);
  }

  /** Pending scores whose job may have been lost (a crash between commit and enqueue). */
  async stalePending(
    before: Date,
    limit: number,
  ): Promise<Array<{ id: string; updated_at: Date }>> {
    return queryRows(
      this.dataSource,
      `SELECT id, updated_at FROM lti_scores WHERE status = 'pending' AND updated_at < $1
        ORDER BY updated_at LIMIT $2`,
      [before, limit],
    );
  }

  /** The LMS user id of the person at this issuer, if they have one there. */
  async lmsUserId(issuer: string, userId: string): Promise<string | undefined> {
    const row = await queryOne<{ subject: string }>(
      this.dataSource,
      `SELECT subject FROM lti_identities WHERE issuer = $1 AND user_id = $2
        ORDER BY last_launch_at DESC NULLS LAST LIMIT 1`,
      [issuer, userId],
    );
    return row?.subject;
  }

  /** Our accounts of these LMS user ids at this issuer. */
  async usersOf(issuer: string, subjects: string[]): Promise<Map<string, string>> {
    if (subjects.length === 0) {
      return new Map();
    }
    const rows = await queryRows<{ subject: string; user_id: string }>(
      this.dataSource,
      `SELECT subject, user_id FROM lti_identities WHERE issuer = $1 AND subject = ANY($2::text[])`,
      [issuer, subjects],
    );
    return new Map(rows.map((row) => [row.subject, row.user_id]));
  }
}
