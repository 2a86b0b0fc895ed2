import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { queryOne, queryRows } from '../../../common/database/sql.js';

export type RosterSyncTrigger = 'launch' | 'manual' | 'nightly';
export type RosterSyncStatus = 'queued' | 'running' | 'succeeded' | 'failed';

export interface RosterSyncRow {
  id: string;
  platform_id: string;
  context_id: string;
  class_id: string;
  trigger: RosterSyncTrigger;
  status: RosterSyncStatus;
  mode: 'full' | 'differences' | null;
  pages: number;
  members: number;
  added: number;
  removed: number;
  skipped: number;
  error_code: string | null;
  error_message: string | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

export interface RosterCounts {
  pages: number;
  members: number;
  added: number;
  removed: number;
  skipped: number;
}

/** A member as last seen in the LMS roster. */
export interface SeenMember {
  lmsUserId: string;
  userId: string | null;
  status: string;
  roles: string[];
}

const SYNC_COLUMNS = `id, platform_id, context_id, class_id, trigger, status, mode, pages, members,
  added, removed, skipped, error_code, error_message, created_at, started_at, finished_at`;

/** Roster syncs (lti_roster_syncs) and the roster as last seen (lti_roster_members). */
@Injectable()
export class LtiRosterRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * A queued sync of the course, or the one already queued or running (one at a time, by the
   * partial unique index). `created` tells which.
   */
  async request(input: {
    platformId: string;
    contextId: string;
    classId: string;
    trigger: RosterSyncTrigger;
    requestedBy: string | null;
    /** 'full': read the whole roster even when the LMS offers differences. */
    mode: 'full' | null;
    at: Date;
  }): Promise<{ sync: RosterSyncRow; created: boolean }> {
    // A sync whose worker died (or whose job was never queued) must not block the course.
    await this.dataSource.query(
      `UPDATE lti_roster_syncs SET status = 'failed', finished_at = $3,
              error_code = 'LTI_ROSTER_SYNC_ABANDONED', error_message = 'no progress for 30 minutes'
        WHERE platform_id = $1 AND context_id = $2 AND status IN ('queued', 'running')
          AND COALESCE(started_at, created_at) < $3::timestamptz - interval '30 minutes'`,
      [input.platformId, input.contextId, input.at],
    );
    for (;;) {
      const inserted = await queryOne<RosterSyncRow>(
        this.dataSource,
        `INSERT INTO lti_roster_syncs (platform_id, context_id, class_id, trigger, requested_by, mode, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (platform_id, context_id) WHERE status IN ('queued', 'running') DO NOTHING
         RETURNING ${SYNC_COLUMNS}`,
        [
          input.platformId,
          input.contextId,
          input.classId,
          input.trigger,
          input.requestedBy,
          input.mode,
          input.at,
        ],
      );
      if (inserted) {
        return { sync: inserted, created: true };
      }
      const open = await queryOne<RosterSyncRow>(
        this.dataSource,
        `SELECT ${SYNC_COLUMNS} FROM lti_roster_syncs
          WHERE platform_id = $1 AND context_id = $2 AND status IN ('queued', 'running')`,
        [input.platformId, input.contextId],
      );
      // Finished between the two statements: ask again.
      if (open) {
        return { sync: open, created: false };
      }
    }
  }

  /**
   * Marks a queued sync running, in the mode it was asked for or else `mode`; undefined when it
   * is not queued (done, or run elsewhere).
   */
  async start(syncId: string, mode: 'full' | 'differences', at: Date) {
    return queryOne<RosterSyncRow>(
      this.dataSource,
      `UPDATE lti_roster_syncs SET status = 'running', mode = COALESCE(mode, $2), started_at = $3,
              pages = 0, members = 0, added = 0, removed = 0, skipped = 0
        WHERE id = $1 AND status = 'queued' RETURNING ${SYNC_COLUMNS}`,
      [syncId, mode, at],
    );
  }

  async find(syncId: string): Promise<RosterSyncRow | undefined> {
    return queryOne<RosterSyncRow>(
      this.dataSource,
      `SELECT ${SYNC_COLUMNS} FROM lti_roster_syncs WHERE id = $1`,
      [syncId],
    );
  }

  /** The newest syncs of a class, newest first. */
  async recent(classId: string, limit: number): Promise<RosterSyncRow[]> {
    return queryRows<RosterSyncRow>(
      this.dataSource,
      `SELECT ${SYNC_COLUMNS} FROM lti_roster_syncs WHERE class_id = $1
        ORDER BY created_at DESC, id LIMIT $2`,
      [classId, limit],
    );
  }

  /** The last completed full sync of the course (succeeded), if any. */
  async lastFullSync(platformId: string, contextId: string): Promise<Date | undefined> {
    const row = await queryOne<{ finished_at: Date }>(
      this.dataSource,
      `SELECT finished_at FROM lti_roster_syncs
        WHERE platform_id = $1 AND context_id = $2 AND status = 'succeeded' AND mode = 'full'
        ORDER BY finished_at DESC LIMIT 1`,
      [platformId, contextId],
    );
    return row?.finished_at;
  }

  async finish(syncId: string, counts: RosterCounts, at: Date): Promise<void> {
    await this.dataSource.query(
      `UPDATE lti_roster_syncs SET status = 'succeeded', finished_at = $2, pages = $3,
              members = $4, added = $5, removed = $6, skipped = $7,
              error_code = NULL, error_message = NULL
        WHERE id = $1`,
      [syncId, at, counts.pages, counts.members, counts.added, counts.removed, counts.skipped],
    );
  }

  /** A failed attempt: queued again for the next one, or failed for good. */
  async fail(
    syncId: string,
    error: { code: string; message: string | null },
    final: boolean,
    counts: RosterCounts,
    at: Date,
  ): Promise<void> {
    await this.dataSource.query(
      `UPDATE lti_roster_syncs SET status = $2::varchar, error_code = $3, error_message = $4,
              finished_at = CASE WHEN $2::varchar = 'failed' THEN $5::timestamptz END,
              pages = $6, members = $7, added = $8, removed = $9, skipped = $10
        WHERE id = $1`,
      [
        syncId,
        final ? 'failed' : 'queued',
        error.code,
        error.message?.slice(0, 1000) ?? null,
        at,
        counts.pages,
        counts.members,
        counts.added,
        counts.removed,
        counts.skipped,
      ],
    );
  }

  /** What the last syncs saw of these LMS users in the course. */
  async seen(
    platformId: string,
    contextId: string,
    lmsUserIds: string[],
  ): Promise<Map<string, SeenMember>> {
    const rows = await queryRows<{
      lms_user_id: string;
      user_id: string | null;
      status: string;
      roles: string[];
    }>(
      this.dataSource,
      `SELECT lms_user_id, user_id, status, roles FROM lti_roster_members
        WHERE platform_id = $1 AND context_id = $2 AND lms_user_id = ANY($3::text[])`,
      [platformId, contextId, lmsUserIds],
    );
    return new Map(
      rows.map((row) => [
        row.lms_user_id,
        { lmsUserId: row.lms_user_id, userId: row.user_id, status: row.status, roles: row.roles },
      ]),
    );
  }

  /** Members seen unchanged in this sync: only the sync's mark moves. */
  async markSeen(platformId: string, contextId: string, syncId: string, lmsUserIds: string[]) {
    if (lmsUserIds.length === 0) {
      return;
    }
    await this.dataSource.query(
      `UPDATE lti_roster_members SET last_sync_id = $3
        WHERE platform_id = $1 AND context_id = $2 AND lms_user_id = ANY($4::text[])`,
      [platformId, contextId, syncId, lmsUserIds],
    );
  }

  async saveMember(
    manager: EntityManager,
    platformId: string,
    contextId: string,
    syncId: string,
    member: SeenMember,
    at: Date,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO lti_roster_members
              (platform_id, context_id, lms_user_id, user_id, status, roles, last_sync_id, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (platform_id, context_id, lms_user_id) DO UPDATE
         SET user_id = EXCLUDED.user_id, status = EXCLUDED.status, roles = EXCLUDED.roles,
             last_sync_id = EXCLUDED.last_sync_id, updated_at = EXCLUDED.updated_at`,
      [
        platformId,
        contextId,
        member.lmsUserId,
        member.userId,
        member.status,
        member.roles,
        syncId,
        at,
      ],
    );
  }

  /**
   * After a full sync: the members it did not see, marked gone; answers their accounts, a
   * batch at a time (bounded memory for any roster size).
   */
  async takeUnseen(
    manager: EntityManager,
    platformId: string,
    contextId: string,
    syncId: string,
    at: Date,
    limit: number,
  ): Promise<{ taken: number; userIds: string[] }> {
    const rows = await queryRows<{ user_id: string | null }>(
      manager,
      `UPDATE lti_roster_members SET status = 'Gone', last_sync_id = $3, updated_at = $4
        WHERE (platform_id, context_id, lms_user_id) IN (
              SELECT platform_id, context_id, lms_user_id FROM lti_roster_members
               WHERE platform_id = $1 AND context_id = $2 AND last_sync_id <> $3
                 AND status = 'Active'
               LIMIT $5)
        RETURNING user_id`,
      [platformId, contextId, syncId, at, limit],
    );
    return {
      taken: rows.length,
      userIds: rows.map((row) => row.user_id).filter((id): id is string => id !== null),
    };
  }
}
