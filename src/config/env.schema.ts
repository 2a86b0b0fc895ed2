import { plainToInstance, Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  ValidateBy,
  ValidateIf,
  validateSync,
  ValidationError,
} from 'class-validator';
import { parseTrustProxy, TRUST_PROXY_HELP, type TrustProxy } from './trust-proxy.js';

const toBoolean = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string') {
    return value;
  }
  const normalized = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(normalized)) {
    return true;
  }
  if (['false', '0', 'no', 'off', ''].includes(normalized)) {
    return false;
  }
  return value;
};

const POSTGRES_URL = /^postgres(ql)?:\/\/.+/;
const REDIS_URL = /^rediss?:\/\/.+/;
const HTTP_URL = /^https?:\/\/[^\s/]+(\/[^\s]*)?$/;
const PEM_PRIVATE_KEY = /-----BEGIN (RSA |EC )?PRIVATE KEY-----/;
const PEM_PUBLIC_KEY = /-----BEGIN (RSA )?PUBLIC KEY-----/;

/**
 * The one validated environment schema. Every variable the app reads is declared here,
 * with its default; `.env.example` and the README table list the same variables.
 */
export class EnvVars {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @IsString()
  HOST = '0.0.0.0';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent' = 'info';

  @IsOptional()
  @Matches(POSTGRES_URL, { message: 'DATABASE_URL must be a postgres:// connection string' })
  DATABASE_URL?: string;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  DATABASE_POOL_SIZE = 10;

  @Transform(toBoolean)
  @IsBoolean()
  DATABASE_MIGRATIONS_RUN = true;

  @Transform(toBoolean)
  @IsBoolean()
  DATABASE_PREPARED_STATEMENTS = true;

  @IsString()
  EMBEDDED_PG_DIR = './.data/postgres';

  @Type(() => Number)
  @IsInt()
  @Min(1024)
  @Max(65535)
  EMBEDDED_PG_PORT = 54329;

  @IsOptional()
  @Matches(REDIS_URL, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

  @IsOptional()
  @IsIn(['postgres', 'redis'])
  QUEUE_BACKEND?: 'postgres' | 'redis';

  @Transform(toBoolean)
  @IsBoolean()
  QUEUE_WORKERS_ENABLED = true;

  /** Parsed into Fastify's forms; the raw text stays when it is none of them, and is refused. */
  @Transform(({ value }: { value: unknown }) => parseTrustProxy(value) ?? value)
  @ValidateBy({
    name: 'isTrustProxy',
    validator: {
      validate: (value: unknown) =>
        Array.isArray(value) || (typeof value !== 'string' && parseTrustProxy(value) !== undefined),
      defaultMessage: () => TRUST_PROXY_HELP,
    },
  })
  TRUST_PROXY: TrustProxy = false;

  @IsString()
  CORS_ORIGINS = '';

  @Type(() => Number)
  @IsInt()
  @Min(1024)
  @Max(50 * 1024 * 1024)
  BODY_LIMIT_BYTES = 1024 * 1024;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  RATE_LIMIT_ANONYMOUS_LIMIT = 100;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  RATE_LIMIT_ANONYMOUS_TTL_SECONDS = 3600;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  RATE_LIMIT_AUTHENTICATED_LIMIT = 1000;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  RATE_LIMIT_AUTHENTICATED_TTL_SECONDS = 3600;

  /** Requests per window for each Service Market key (usage reports arrive in bulk). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  RATE_LIMIT_MARKET_LIMIT = 200_000;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  RATE_LIMIT_MARKET_TTL_SECONDS = 3600;

  @Transform(toBoolean)
  @IsBoolean()
  RATE_LIMIT_ENABLED = true;

  @Matches(/^[A-Za-z0-9:_-]{1,64}$/, {
    message: 'RATE_LIMIT_REDIS_PREFIX: letters, digits, : _ - only',
  })
  RATE_LIMIT_REDIS_PREFIX = 'dreamseed:throttle:';

  @IsOptional()
  @IsString()
  SMTP_HOST?: string;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(65535)
  SMTP_PORT = 587;

  @Transform(toBoolean)
  @IsBoolean()
  SMTP_SECURE = false;

  @IsOptional()
  @IsString()
  SMTP_USER?: string;

  @IsOptional()
  @IsString()
  SMTP_PASSWORD?: string;

  @IsEmail({ allow_display_name: true })
  MAIL_FROM = 'DreamSeed <no-reply@dreamseed.local>';

  @IsString()
  MAIL_OUTBOX_DIR = './.data/mail';

  @Type(() => Number)
  @IsInt()
  @Min(1)
  RATE_LIMIT_LOGIN_LIMIT = 5;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  RATE_LIMIT_LOGIN_TTL_SECONDS = 60;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  RATE_LIMIT_REGISTER_LIMIT = 3;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  RATE_LIMIT_REGISTER_TTL_SECONDS = 3600;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  RATE_LIMIT_ACCOUNT_EMAIL_LIMIT = 3;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  RATE_LIMIT_ACCOUNT_EMAIL_TTL_SECONDS = 3600;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  RATE_LIMIT_API_KEY_FAILURE_LIMIT = 20;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  RATE_LIMIT_API_KEY_FAILURE_TTL_SECONDS = 600;

  /** Sign-in routes skip the anonymous budget; this per-IP ceiling only stops floods. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  RATE_LIMIT_SIGN_IN_FLOOD_LIMIT = 3000;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  RATE_LIMIT_SIGN_IN_FLOOD_TTL_SECONDS = 300;

  @IsOptional()
  @Matches(PEM_PRIVATE_KEY, {
    message: 'JWT_PRIVATE_KEY must be a PEM private key (EC P-256 for ES256, or RSA for RS256)',
  })
  JWT_PRIVATE_KEY?: string;

  @IsString()
  JWT_PRIVATE_KEY_FILE = './.data/jwt/signing-key-p256.pem';

  @IsOptional()
  @Matches(PEM_PUBLIC_KEY, {
    message: 'JWT_PREVIOUS_PUBLIC_KEYS must hold PEM public keys (EC P-256 or RSA)',
  })
  JWT_PREVIOUS_PUBLIC_KEYS?: string;

  @IsString()
  JWT_ISSUER = 'dreamseed-platform-api';

  @IsString()
  JWT_AUDIENCE = 'dreamseed-platform';

  @Type(() => Number)
  @IsInt()
  @Min(60)
  @Max(3600)
  ACCESS_TOKEN_TTL_SECONDS = 900;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(90)
  REFRESH_TOKEN_TTL_DAYS = 7;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  MAX_LOGIN_ATTEMPTS = 5;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(24 * 60)
  LOCKOUT_MINUTES = 15;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  MAX_SESSIONS_PER_USER = 5;

  @Matches(HTTP_URL, { message: 'FRONTEND_URL must be an http(s) URL' })
  FRONTEND_URL = 'http://localhost:5173';

  /** Payments are on when set; every payment route answers 404 PAYMENTS_DISABLED otherwise. */
  @IsOptional()
  @Matches(/^(sk|rk)_(test|live)_\S+$/, {
    message: 'STRIPE_SECRET_KEY must be a Stripe secret or restricted key (sk_… or rk_…)',
  })
  STRIPE_SECRET_KEY?: string;

  /** Webhook signing secrets (whsec_…), comma-separated: several are accepted during a roll. */
  @ValidateIf((env: EnvVars) => Boolean(env.STRIPE_SECRET_KEY))
  @Matches(/^\s*whsec_\S+(\s*,\s*whsec_\S+)*\s*$/, {
    message:
      'STRIPE_WEBHOOK_SECRETS is required with STRIPE_SECRET_KEY: whsec_… values, comma-separated',
  })
  STRIPE_WEBHOOK_SECRETS?: string;

  /** Where the Stripe client connects; unset: Stripe's own API. Tests point it at a local server. */
  @IsOptional()
  @IsString()
  STRIPE_API_HOST?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(65535)
  STRIPE_API_PORT?: number;

  @IsOptional()
  @IsIn(['http', 'https'])
  STRIPE_API_PROTOCOL?: 'http' | 'https';

  @Transform(toBoolean)
  @IsBoolean()
  STRIPE_CHECKOUT_ALLOW_PROMOTION_CODES = false;

  /** Days a past_due subscription stays entitled while Stripe retries the payment. */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(60)
  PAYMENTS_PAST_DUE_GRACE_DAYS = 7;

  /** Tries of a Stripe event's processing before it stays failed (visible to admins, retryable). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(50)
  STRIPE_EVENT_MAX_ATTEMPTS = 8;

  /** First retry delay of a failed Stripe event; each next one doubles. */
  @Type(() => Number)
  @IsInt()
  @Min(10)
  @Max(3_600_000)
  STRIPE_EVENT_RETRY_DELAY_MS = 2000;

  /** Jobs of the stripe-events worker in flight per instance (each carries up to 20 events). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(64)
  STRIPE_EVENT_WORKER_CONCURRENCY = 2;

  /** Minutes between reconciliation runs (every live subscription re-read from Stripe). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(7 * 24 * 60)
  PAYMENTS_RECONCILE_INTERVAL_MINUTES = 60;

  /** Minutes between license expiry checks (ended terms expire; reminders 30, 7, 1 days before). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(24 * 60)
  LICENSE_EXPIRY_CHECK_INTERVAL_MINUTES = 60;

  /** Sign in with Google is on when set; its routes answer 404 AUTH_PROVIDER_DISABLED otherwise. */
  @IsOptional()
  @IsString()
  GOOGLE_CLIENT_ID?: string;

  @ValidateIf((env: EnvVars) => Boolean(env.GOOGLE_CLIENT_ID))
  @IsString({ message: 'GOOGLE_CLIENT_SECRET is required when GOOGLE_CLIENT_ID is set' })
  GOOGLE_CLIENT_SECRET?: string;

  /** Where the provider sends the browser back; default: this server on PORT. */
  @IsOptional()
  @Matches(HTTP_URL, { message: 'GOOGLE_CALLBACK_URL must be an http(s) URL' })
  GOOGLE_CALLBACK_URL?: string;

  @Matches(HTTP_URL, { message: 'GOOGLE_AUTHORIZATION_URL must be an http(s) URL' })
  GOOGLE_AUTHORIZATION_URL = 'https://accounts.google.com/o/oauth2/v2/auth';

  @Matches(HTTP_URL, { message: 'GOOGLE_TOKEN_URL must be an http(s) URL' })
  GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';

  // passport-google-oauth20 reads an OpenID profile only from a URL ending in /userinfo.
  @Matches(/^https?:\/\/[^\s/]+(\/[^\s]*)?\/userinfo$/, {
    message: 'GOOGLE_USERINFO_URL must be an http(s) URL ending in /userinfo',
  })
  GOOGLE_USERINFO_URL = 'https://openidconnect.googleapis.com/v1/userinfo';

  /** Sign in with Kakao is on when set (the REST API key); else its routes answer 404. */
  @IsOptional()
  @IsString()
  KAKAO_CLIENT_ID?: string;

  /** Kakao's client secret (Kakao Login > Security); sent when set. */
  @IsOptional()
  @IsString()
  KAKAO_CLIENT_SECRET?: string;

  /** Where Kakao sends the browser back; default: this server on PORT. */
  @IsOptional()
  @Matches(HTTP_URL, { message: 'KAKAO_CALLBACK_URL must be an http(s) URL' })
  KAKAO_CALLBACK_URL?: string;

  @Matches(HTTP_URL, { message: 'KAKAO_AUTHORIZATION_URL must be an http(s) URL' })
  KAKAO_AUTHORIZATION_URL = 'https://kauth.kakao.com/oauth/authorize';

  @Matches(HTTP_URL, { message: 'KAKAO_TOKEN_URL must be an http(s) URL' })
  KAKAO_TOKEN_URL = 'https://kauth.kakao.com/oauth/token';

  @Matches(HTTP_URL, { message: 'KAKAO_PROFILE_URL must be an http(s) URL' })
  KAKAO_PROFILE_URL = 'https://kapi.kakao.com/v2/user/me';

  /** Kakao's OpenID Connect keys, checking the id_token when Kakao sends one. */
  @Matches(HTTP_URL, { message: 'KAKAO_JWKS_URL must be an http(s) URL' })
  KAKAO_JWKS_URL = 'https://kauth.kakao.com/.well-known/jwks.json';

  /** Sign in with Naver is on when set; else its routes answer 404. */
  @IsOptional()
  @IsString()
  NAVER_CLIENT_ID?: string;

  @ValidateIf((env: EnvVars) => Boolean(env.NAVER_CLIENT_ID))
  @IsString({ message: 'NAVER_CLIENT_SECRET is required when NAVER_CLIENT_ID is set' })
  NAVER_CLIENT_SECRET?: string;

  /** Where Naver sends the browser back; default: this server on PORT. */
  @IsOptional()
  @Matches(HTTP_URL, { message: 'NAVER_CALLBACK_URL must be an http(s) URL' })
  NAVER_CALLBACK_URL?: string;

  @Matches(HTTP_URL, { message: 'NAVER_AUTHORIZATION_URL must be an http(s) URL' })
  NAVER_AUTHORIZATION_URL = 'https://nid.naver.com/oauth2.0/authorize';

  @Matches(HTTP_URL, { message: 'NAVER_TOKEN_URL must be an http(s) URL' })
  NAVER_TOKEN_URL = 'https://nid.naver.com/oauth2.0/token';

  @Matches(HTTP_URL, { message: 'NAVER_PROFILE_URL must be an http(s) URL' })
  NAVER_PROFILE_URL = 'https://openapi.naver.com/v1/nid/me';

  /** Sign in with Microsoft (school and work accounts) is on when set; else its routes answer 404. */
  @IsOptional()
  @IsString()
  MICROSOFT_CLIENT_ID?: string;

  @ValidateIf((env: EnvVars) => Boolean(env.MICROSOFT_CLIENT_ID))
  @IsString({ message: 'MICROSOFT_CLIENT_SECRET is required when MICROSOFT_CLIENT_ID is set' })
  MICROSOFT_CLIENT_SECRET?: string;

  /** Where Microsoft sends the browser back; default: this server on PORT. */
  @IsOptional()
  @Matches(HTTP_URL, { message: 'MICROSOFT_CALLBACK_URL must be an http(s) URL' })
  MICROSOFT_CALLBACK_URL?: string;

  /** `organizations` (any school or work account), `common`, or one tenant's id or domain. */
  @Matches(/^[A-Za-z0-9.-]{1,100}$/, { message: 'MICROSOFT_TENANT must be a tenant id or name' })
  MICROSOFT_TENANT = 'organizations';

  @Matches(/^https?:\/\/[^\s]+[^/\s]$/, {
    message: 'MICROSOFT_AUTHORITY_URL must be an http(s) URL without a trailing slash',
  })
  MICROSOFT_AUTHORITY_URL = 'https://login.microsoftonline.com';

  /** The tool's own origin as LMSs and browsers reach it (LTI URLs); default http://localhost:PORT. */
  @IsOptional()
  @Matches(HTTP_URL, { message: 'PUBLIC_URL must be an http(s) URL' })
  PUBLIC_URL?: string;

  /** 32 bytes (base64 or 64 hex digits) sealing the LTI tool's private keys; required in production. */
  @IsOptional()
  @Matches(/^([0-9a-fA-F]{64}|[A-Za-z0-9+/_-]{43}=?)$/, {
    message: 'LTI_KEY_ENCRYPTION_KEY must be 32 bytes, as 64 hex digits or base64',
  })
  LTI_KEY_ENCRYPTION_KEY?: string;

  @IsString()
  LTI_KEY_ENCRYPTION_KEY_FILE = './.data/lti/key-encryption.key';

  /** How long a call to an LMS service (token, roster, grades) may take, in milliseconds. */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(120_000)
  LTI_SERVICE_TIMEOUT_MS = 10_000;

  /** When every course with a roster service is synced again (cron, UTC). */
  @Matches(/^(\S+\s+){4}\S+$/, { message: 'LTI_ROSTER_SYNC_CRON must be a 5-field cron pattern' })
  LTI_ROSTER_SYNC_CRON = '0 3 * * *';

  /** First wait before a failed score publication or roster sync is retried (doubles each time). */
  @Type(() => Number)
  @IsInt()
  @Min(10)
  @Max(3_600_000)
  LTI_RETRY_DELAY_MS = 5_000;

  /** Jobs of the lti worker (score publications, roster syncs) in flight per instance. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(64)
  LTI_WORKER_CONCURRENCY = 4;

  /** Service Market keys seeded at start (comma-separated); keys removed here are revoked. */
  @IsOptional()
  @IsString()
  MARKET_API_KEYS?: string;

  /** Where tenant lifecycle and limit notifications go; unset: none are sent. */
  @IsOptional()
  @Matches(HTTP_URL, { message: 'MARKET_CALLBACK_URL must be an http(s) URL' })
  MARKET_CALLBACK_URL?: string;

  @ValidateIf((env: EnvVars) => Boolean(env.MARKET_CALLBACK_URL))
  @IsString({ message: 'MARKET_CALLBACK_API_KEY is required when MARKET_CALLBACK_URL is set' })
  MARKET_CALLBACK_API_KEY?: string;

  /** Read by libuv itself (see thread-pool.cts); declared here to be validated and documented. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1024)
  UV_THREADPOOL_SIZE?: number;

  @IsOptional()
  @IsEmail()
  SUPERADMIN_EMAIL?: string;

  @IsOptional()
  @IsString()
  SUPERADMIN_PASSWORD?: string;

  @Transform(toBoolean)
  @IsBoolean()
  SWAGGER_ENABLED = true;

  @Type(() => Number)
  @IsInt()
  @Min(1000)
  SHUTDOWN_TIMEOUT_MS = 10000;
}

export function formatEnvErrors(errors: ValidationError[]): string {
  return errors
    .map((error) => {
      const reasons = Object.values(error.constraints ?? {}).join('; ');
      return `  - ${error.property}: ${reasons}`;
    })
    .join('\n');
}

/**
 * Validates the environment once, at process start (loadEnvironment; the test apps call it
 * directly): throws one error naming every bad variable.
 */
export function validateEnv(raw: Record<string, unknown>): EnvVars {
  const present = Object.fromEntries(
    Object.entries(raw).filter(([, value]) => value !== undefined && value !== ''),
  );
  const env = plainToInstance(EnvVars, present, { exposeDefaultValues: true });
  const errors = validateSync(env, { skipMissingProperties: false, whitelist: false });
  if (errors.length > 0) {
    throw new Error(`Invalid environment configuration:\n${formatEnvErrors(errors)}`);
  }
  return env;
}
