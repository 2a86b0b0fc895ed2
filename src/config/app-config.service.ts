import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { EnvVars } from './env.schema.js';

export const APP_CONFIG_NAMESPACE = 'app';

export type QueueBackend = 'postgres' | 'redis';

export interface SmtpSettings {
  host: string;
  port: number;
  secure: boolean;
  auth?: { user: string; pass: string };
}

/** Typed, read-only access to the validated environment. Module code never reads process.env. */
@Injectable()
export class AppConfigService {
  private readonly env: EnvVars;

  constructor(config: ConfigService) {
    this.env = config.getOrThrow<EnvVars>(APP_CONFIG_NAMESPACE);
  }

  get<K extends keyof EnvVars>(key: K): EnvVars[K] {
    return this.env[key];
  }

  /** The tool's public origin (PUBLIC_URL, else this server on PORT), without a trailing slash. */
  get publicUrl(): string {
    return (this.env.PUBLIC_URL ?? `http://localhost:${this.env.PORT}`).replace(/\/+$/, '');
  }

  /** MARKET_API_KEYS, split on commas. */
  get marketApiKeys(): string[] {
    return (this.env.MARKET_API_KEYS ?? '')
      .split(',')
      .map((key) => key.trim())
      .filter((key) => key.length > 0);
  }

  /**
   * Origins allowed by CORS: CORS_ORIGINS when set; otherwise, outside production, the web
   * app's own origin (FRONTEND_URL), so the first frontend works out of the box. Production
   * allows only what is listed.
   */
  get corsOrigins(): string[] {
    const listed = this.env.CORS_ORIGINS.split(',')
      .map((origin) => origin.trim())
      .filter((origin) => origin.length > 0);
    if (listed.length > 0 || this.env.NODE_ENV === 'production') {
      return listed;
    }
    return [new URL(this.env.FRONTEND_URL).origin];
  }

  /** Redis when asked for explicitly or when REDIS_URL is set; PostgreSQL otherwise. */
  get queueBackend(): QueueBackend {
    return this.env.QUEUE_BACKEND ?? (this.env.REDIS_URL ? 'redis' : 'postgres');
  }

  get smtp(): SmtpSettings | undefined {
    if (!this.env.SMTP_HOST) {
      return undefined;
    }
    const auth =
      this.env.SMTP_USER !== undefined
        ? { user: this.env.SMTP_USER, pass: this.env.SMTP_PASSWORD ?? '' }
        : undefined;
    return {
      host: this.env.SMTP_HOST,
      port: this.env.SMTP_PORT,
      secure: this.env.SMTP_SECURE,
      auth,
    };
  }
}
