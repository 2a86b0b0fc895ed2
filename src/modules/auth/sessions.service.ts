import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { CacheInvalidation } from '../../common/cache/cache-invalidation.service.js';
import { Clock } from '../../common/clock/clock.js';
import type { WritePart } from '../../common/database/write-parts.js';
import { AppException } from '../../common/errors/app.exception.js';
import { AppConfigService } from '../../config/app-config.service.js';
import type { Session, SessionRevokeReason } from './session.entity.js';
import { SecurityEvents } from './security-events.js';
import { SessionsRepository, type RotatedSession } from './sessions.repository.js';
import { SigningKeys } from './tokens/signing-keys.service.js';
import {
  hashToken,
  issueRefreshToken,
  refreshTokenFamily,
  successorOf,
} from './tokens/refresh-tokens.js';

/** A second refresh with the same token within this window gets the same successor. */
export const REFRESH_GRACE_MS = 10_000;
const DAY_MS = 24 * 3600 * 1000;

export interface DeviceInfo {
  userAgent: string | null;
  ip: string | null;
}

export type RotationResult =
  | { kind: 'rotated'; session: RotatedSession; refreshToken: string }
  | { kind: 'reused' }
  | { kind: 'invalid' };

/** What callers need of a session they just opened or moved. */
export interface SessionRef {
  id: string;
  tenantId: string | null;
}

@Injectable()
export class SessionsService {
  private readonly successorKey: Buffer;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly sessions: SessionsRepository,
    private readonly invalidation: CacheInvalidation,
    private readonly config: AppConfigService,
    private readonly clock: Clock,
    keys: SigningKeys,
    private readonly security: SecurityEvents,
  ) {
    this.successorKey = keys.deriveSecret('refresh-successor');
  }

  /**
   * Opens a session inside the caller's transaction (which holds the user's row lock, so
   * concurrent sign-ins count sessions one at a time); past MAX_SESSIONS_PER_USER the oldest end.
   * `along` gives writes about the new session that go in the same statement.
   */
  async start(
    manager: EntityManager,
    userId: string,
    tenantId: string | null,
    device: DeviceInfo,
    along: (session: SessionRef) => WritePart[] = () => [],
  ): Promise<{ session: SessionRef; refreshToken: string }> {
    const now = this.clock.now();
    const issued = issueRefreshToken();
    const session: SessionRef = { id: randomUUID(), tenantId };
    const { evicted } = await this.sessions.insertWithinLimit(
      manager,
      {
        id: session.id,
        userId,
        tenantId,
        refreshFamily: issued.family,
        refreshTokenHash: issued.hash,
        userAgent: device.userAgent?.slice(0, 512) ?? null,
        ip: device.ip?.slice(0, 64) ?? null,
        now,
        expiresAt: this.refreshExpiry(now),
      },
      this.config.get('MAX_SESSIONS_PER_USER'),
      along(session),
    );
    this.invalidation.changed(manager, 'session', evicted);
    return { session, refreshToken: issued.token };
  }

  /**
   * Rotates a refresh token in one statement (SessionsRepository.rotateByToken): the current
   * token gets its successor, the previous one within the grace window the same successor.
   * Any other token of a live session's family is reuse and ends the session (audited in the
   * same transaction); a token of no live session is invalid.
   */
  async rotate(token: string, device: DeviceInfo): Promise<RotationResult> {
    const family = refreshTokenFamily(token);
    if (!family) {
      return { kind: 'invalid' };
    }
    const now = this.clock.now();
    const presented = hashToken(token);
    const successor = successorOf(family, presented, this.successorKey);
    const rotated = await this.sessions.rotateByToken(family, {
      presented,
      successorHash: successor.hash,
      now,
      rotatedAfter: new Date(now.getTime() - REFRESH_GRACE_MS),
      expiresAt: this.refreshExpiry(now),
    });
    if (rotated) {
      return { kind: 'rotated', session: rotated, refreshToken: successor.token };
    }
    return this.dataSource.transaction(async (manager): Promise<RotationResult> => {
      const ended = await this.sessions.revokeFamily(manager, family, 'refresh_token_reused', now);
      if (!ended) {
        return { kind: 'invalid' };
      }
      this.invalidation.changed(manager, 'session', [ended.id]);
      await this.security.record(
        'auth.refresh_token_reused',
        { userId: ended.userId, tenantId: ended.tenantId },
        device,
        'denied',
        { session_id: ended.id },
        manager,
      );
      return { kind: 'reused' };
    });
  }

  /**
   * Moves a session to another tenant and rotates its refresh token as a refresh would (a tab
   * still holding the old token within the grace window gets the same new one).
   */
  async switchTenant(
    manager: EntityManager,
    sessionId: string,
    tenantId: string,
  ): Promise<{ session: SessionRef; refreshToken: string }> {
    const now = this.clock.now();
    const session = await this.sessions.findByIdForUpdate(manager, sessionId);
    if (!session || session.revokedAt || session.expiresAt <= now) {
      throw new AppException('AUTH_SESSION_REVOKED');
    }
    const successor = successorOf(
      session.refreshFamily,
      session.refreshTokenHash,
      this.successorKey,
    );
    await this.sessions.rotate(manager, sessionId, {
      refreshTokenHash: successor.hash,
      previousTokenHash: session.refreshTokenHash,
      now,
      expiresAt: this.refreshExpiry(now),
      tenantId,
    });
    this.invalidation.changed(manager, 'session', [sessionId]);
    return { session: { id: session.id, tenantId }, refreshToken: successor.token };
  }

  async revoke(
    where: { ids?: string[]; userId?: string; exceptId?: string; tenantId?: string },
    reason: SessionRevokeReason,
    manager?: EntityManager,
  ): Promise<string[]> {
    const ended = await this.sessions.revoke(
      manager ?? this.dataSource,
      where,
      reason,
      this.clock.now(),
    );
    this.invalidation.changed(manager, 'session', ended);
    return ended;
  }

  listLive(userId: string): Promise<Session[]> {
    return this.sessions.listLive(userId, this.clock.now());
  }

  private refreshExpiry(now: Date): Date {
    return new Date(now.getTime() + this.config.get('REFRESH_TOKEN_TTL_DAYS') * DAY_MS);
  }
}
