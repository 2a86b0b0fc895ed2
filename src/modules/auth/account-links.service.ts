import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../../common/clock/clock.js';
import type { OneTimeTokenPurpose } from './one-time-token.entity.js';
import { OneTimeTokensRepository } from './one-time-tokens.repository.js';

/** The single-use secrets behind mailed links and the sign-in hand-off code. */
@Injectable()
export class AccountLinks {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tokens: OneTimeTokensRepository,
    private readonly clock: Clock,
  ) {}

  /** A new secret (earlier unused ones of the purpose stop working), in `manager`'s transaction or its own. */
  issue(
    userId: string,
    purpose: OneTimeTokenPurpose,
    ttlMs: number,
    options: { manager?: EntityManager; context?: Record<string, unknown> } = {},
  ): Promise<string> {
    const issue = (manager: EntityManager) =>
      this.tokens.issue(manager, userId, purpose, this.clock.now(), ttlMs, options.context ?? null);
    return options.manager ? issue(options.manager) : this.dataSource.transaction(issue);
  }

  /** The user the secret was issued to, if it is valid; it is used up either way. */
  consume(
    manager: EntityManager,
    token: string,
    purpose: OneTimeTokenPurpose,
  ): Promise<string | undefined> {
    return this.tokens.consume(manager, token, purpose, this.clock.now());
  }

  /** `consume`, with what the secret was issued for. */
  claim(
    token: string,
    purpose: OneTimeTokenPurpose,
  ): Promise<{ userId: string; context: Record<string, unknown> | null } | undefined> {
    return this.dataSource.transaction((manager) =>
      this.tokens.claim(manager, token, purpose, this.clock.now()),
    );
  }
}
