import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import type { Redis } from 'ioredis';
import { AppConfigService } from '../../config/app-config.service.js';
import { REDIS_CLIENT } from '../redis/redis.module.js';

type Handler = (keys: string[]) => void;

interface Message {
  topic: string;
  keys: string[];
  origin: string;
}

/**
 * Tells every instance to drop cached entries (sessions, profiles) the moment one instance
 * changes them, over Redis pub/sub when REDIS_URL is set. Without Redis, or if a message is
 * lost, the caches' own TTL (5 s) is the bound. The publishing instance drops its entries
 * itself, before publishing.
 */
@Injectable()
export class CacheInvalidation implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(CacheInvalidation.name);
  private readonly handlers = new Map<string, Handler[]>();
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

  on(topic: string, handler: Handler): void {
    this.handlers.set(topic, [...(this.handlers.get(topic) ?? []), handler]);
  }

  /** Drops the keys here at once, and on the other instances as soon as they hear of it. */
  publish(topic: string, keys: string[]): void {
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

  private dispatch(topic: string, keys: string[]): void {
    for (const handler of this.handlers.get(topic) ?? []) {
      handler(keys);
    }
  }
}
