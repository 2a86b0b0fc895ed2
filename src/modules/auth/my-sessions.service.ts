import { Injectable } from '@nestjs/common';
import type { UserPrincipal } from '../../common/auth/principal.js';
import { AppException } from '../../common/errors/app.exception.js';
import { mapSession, type SessionDto } from './dto/session.dto.js';
import { SessionsService } from './sessions.service.js';

/** A user's view of their own sessions: only ever their own. */
@Injectable()
export class MySessionsService {
  constructor(private readonly sessions: SessionsService) {}

  async list(user: UserPrincipal): Promise<SessionDto[]> {
    const live = await this.sessions.listLive(user.userId);
    return live.reverse().map((session) => mapSession(session, user.sessionId));
  }

  async revoke(user: UserPrincipal, sessionId: string): Promise<void> {
    const ended = await this.sessions.revoke(
      { ids: [sessionId], userId: user.userId },
      'revoked_by_user',
    );
    if (ended.length === 0) {
      throw new AppException('AUTH_SESSION_NOT_FOUND');
    }
  }
}
