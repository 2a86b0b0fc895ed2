import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { EntityManager } from 'typeorm';
import { AppConfigService } from '../../config/app-config.service.js';
import { afterCommit } from '../database/after-commit.js';
import { REDIS_CLIENT } from '../redis/redis.module.js';

/** The records cached views are read from; each cache says which of them it holds. */
/** `entitlement` ids are payer keys: `user:<id>` or `tenant:<id>`. */
export type CachedRecord = 'user' | 'session' | 'tenant' | 'entitlement' | 'license_seat';

type Handler = (ids: string[]) => void;

interface Message {
  topic: CachedRecord;
  keys: string[];
  origin: string;
}

/**
 * The one way cached views (profiles, session state, tenant features) learn that records
 * changed. A change says what it changed (`changed`, or the domain event it writes to the
 * outbox); once its transaction commits, every cache holding those records drops them, here
 * first, then on the other instances over Redis pub/sub when REDIS_URL is set. Without Redis,
 * or if a message is lost, the caches' own TTL (5 s) is the bound. Dropping after the commit
 * matters: a request reading in between would cache the old state again for the TTL.
 */
@Injectable()
export class CacheInvalidation implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(CacheInvalidation.name);
  private readonly handlers = new Map<CachedRecord, Handler[]>();
  private readonly origin = `${process.pid}:${Math.random().toString(36).slice(2)}`;
  private readonly channel: string;
  private subscriber: Redis | undefined;

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis | null,
    config: AppConfigService,
  ) {
    this.channel = `${config.get('RATE_LIMIT_REDIS_PREFIX')}cache-invalidation`;
  }

  async onModuleInit(): Promise<void> {
    if (!this.redis) {
      return;
    }
    this.subscriber = this.redis.duplicate();
    this.subscriber.on('message', (_channel: string, raw: string) => this.receive(raw));
    this.subscriber.on('error', (error: Error) =>
      this.logger.warn({ err: error }, 'cache invalidation subscriber error'),
    );
    await this.subscriber.subscribe(this.channel);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscriber?.quit().catch(() => undefined);
  }

  /** A cache holding views of `record` registers how it drops them. */
  on(record: CachedRecord, handler: Handler): void {
    this.handlers.set(record, [...(this.handlers.get(record) ?? []), handler]);
  }

  /**
   * These records changed in `manager`'s transaction: their cached views drop once it commits
   * (never if it rolls back), or at once outside a transaction.
   */
  changed(manager: EntityManager | undefined, record: CachedRecord, ids: string[]): void {
    if (ids.length > 0) {
      afterCommit(manager, () => this.publish(record, [...new Set(ids)]));
    }
  }

  private publish(topic: CachedRecord, keys: string[]): void {
    if (keys.length === 0) {
      return;
    }
    this.dispatch(topic, keys);
    if (!this.redis) {
      return;
    }
    const message: Message = { topic, keys, origin: this.origin };
    this.redis.publish(this.channel, JSON.stringify(message)).catch((error: unknown) => {
      this.logger.warn({ err: error }, 'could not publish a cache invalidation');
    });
  }

  private receive(raw: string): void {
    try {
      const message = JSON.parse(raw) as Message;
      if (message.origin !== this.origin && Array.isArray(message.keys)) {
        this.dispatch(message.topic, message.keys);
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'unreadable cache invalidation message');
    }
  }

  private dispatch(topic: CachedRecord, keys: string[]): void {
    for (const handler of this.handlers.get(topic) ?? []) {
      handler(keys);
    }
  }
}
