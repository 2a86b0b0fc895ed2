import { randomBytes, timingSafeEqual } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { Strategy as PassportStrategy } from 'passport';
import { runStrategy } from '../../../common/auth/run-strategy.js';
import type { Clock } from '../../../common/clock/clock.js';
import { AppException } from '../../../common/errors/app.exception.js';
import { readCookie, serializeCookie } from '../../../common/http/cookies.js';
import type { SealedBox } from '../../../common/http/sealed-box.js';
import type { AppConfigService } from '../../../config/app-config.service.js';
import type { IdentityErrorCode } from '../identities.errors.js';
import {
  ProviderFailure,
  type ProviderDefinition,
  type ProviderProfile,
} from '../providers/provider-definition.js';

const STATE_COOKIE = 'ds_oauth_state';
const STATE_TTL_SECONDS = 600;

/** What the browser's round trip through the provider is for, carried in the sealed cookie. */
export interface OAuthFlow {
  redirect: string | null;
  /** Set when a signed-in user links their provider account (and the session that asked). */
  link: { userId: string; sessionId: string } | null;
  /** The OpenID nonce sent to the provider, checked in its ID token. */
  nonce?: string;
}

export type CallbackResult =
  | { ok: true; profile: ProviderProfile; flow: OAuthFlow }
  | { ok: false; code: IdentityErrorCode; flow: OAuthFlow | null };

interface StateCookie {
  state: string;
  verifier?: string;
  flow: OAuthFlow;
  expiresAt: number;
}

/** The request passport sees: only the callback's query and our cookie. */
export interface FlowRequest {
  query: Record<string, string>;
  headers: { cookie?: string };
  setCookie?: string;
  flow?: OAuthFlow;
}

type Done = (error: Error | null, ok?: unknown, state?: unknown) => void;

/**
 * One provider's passport strategy with PKCE (where the provider has it), and `state` kept in a
 * short-lived, sealed, HttpOnly cookie (path `/api/v1/auth/<provider>`) instead of a session.
 */
export class ProviderOAuth {
  private readonly logger: Logger;
  private readonly strategy?: PassportStrategy;
  private readonly secureCookie: boolean;
  private readonly cookiePath: string;

  constructor(
    readonly definition: ProviderDefinition,
    config: AppConfigService,
    private readonly box: SealedBox,
    clock: Clock,
  ) {
    this.logger = new Logger(`OAuth:${definition.id}`);
    const client = definition.client(config);
    this.cookiePath = `/api/v1/auth/${definition.id}`;
    const callbackURL =
      client.callbackURL ??
      `http://localhost:${config.get('PORT')}/api/v1/auth/${definition.id}/callback`;
    this.secureCookie = callbackURL.startsWith('https:');
    if (!client.clientID) {
      return;
    }
    const store = {
      store: (
        request: FlowRequest,
        verifier: string | undefined,
        flow: OAuthFlow,
        _meta: unknown,
        done: Done,
      ) => {
        const state = randomBytes(24).toString('base64url');
        const sealed: StateCookie = {
          state,
          verifier,
          flow,
          expiresAt: clock.now().getTime() + STATE_TTL_SECONDS * 1000,
        };
        request.setCookie = this.cookie(this.box.seal(sealed), STATE_TTL_SECONDS);
        done(null, state);
      },
      verify: (request: FlowRequest, provided: string, done: Done) => {
        const sealed = this.box.open<StateCookie>(readCookie(request.headers.cookie, STATE_COOKIE));
        if (
          !sealed ||
          !sameText(sealed.state, provided) ||
          sealed.expiresAt < clock.now().getTime()
        ) {
          done(null, false, { code: 'AUTH_OAUTH_STATE_INVALID' });
          return;
        }
        request.flow = sealed.flow;
        // A string here is the PKCE verifier passport sends with the code.
        done(null, sealed.verifier ?? true, sealed.flow);
      },
    };
    // The provider's tokens are not kept: the profile is all we need.
    this.strategy = definition.strategy(
      {
        clientID: client.clientID,
        clientSecret: client.clientSecret,
        callbackURL,
        scope: definition.scopes,
        pkce: definition.pkce,
        store,
      },
      config,
    );
  }

  get enabled(): boolean {
    return this.strategy !== undefined;
  }

  assertEnabled(): void {
    if (!this.strategy) {
      throw new AppException(
        'AUTH_PROVIDER_DISABLED',
        `Sign in with ${this.definition.displayName} is not enabled on this server`,
      );
    }
  }

  /** The provider's authorization URL, and the cookie that must accompany the browser back. */
  async start(flow: OAuthFlow): Promise<{ location: string; cookie: string }> {
    const request: FlowRequest = { query: {}, headers: {} };
    const nonce = this.definition.nonce ? randomBytes(24).toString('base64url') : undefined;
    const state = nonce ? { ...flow, nonce } : flow;
    const outcome = await runStrategy(this.requireStrategy(), request, { state, nonce });
    if (outcome.kind !== 'redirect' || !request.setCookie) {
      this.logger.error({ outcome: outcome.kind }, 'the OAuth strategy did not redirect');
      throw new AppException('AUTH_OAUTH_PROVIDER_ERROR');
    }
    return { location: outcome.url, cookie: request.setCookie };
  }

  /** Checks state, swaps the code (with the PKCE verifier) and reads the provider's profile. */
  async finish(query: Record<string, unknown>, cookieHeader?: string): Promise<CallbackResult> {
    const params = callbackParams(query);
    if (!params || (params.code === undefined && params.error === undefined)) {
      return { ok: false, code: 'AUTH_OAUTH_STATE_INVALID', flow: null };
    }
    const request: FlowRequest = { query: params, headers: { cookie: cookieHeader } };
    const outcome = await runStrategy(this.requireStrategy(), request);
    const flow = request.flow ?? null;
    switch (outcome.kind) {
      case 'success':
        return { ok: true, profile: outcome.user as ProviderProfile, flow: flow as OAuthFlow };
      case 'fail': {
        const code = (outcome.info as { code?: IdentityErrorCode } | undefined)?.code;
        return { ok: false, code: code ?? 'AUTH_OAUTH_DENIED', flow };
      }
      case 'error': {
        const code = errorCode(outcome.error);
        // Only the kind and message: a provider's error object may carry its request.
        this.logger.warn(
          { code, error: errorName(outcome.error) },
          `${this.definition.displayName} refused the sign-in`,
        );
        return { ok: false, code, flow };
      }
      case 'redirect':
        return { ok: false, code: 'AUTH_OAUTH_STATE_INVALID', flow };
    }
  }

  /** Set-Cookie that removes the state cookie (each state works once). */
  clearedCookie(): string {
    return this.cookie('', 0);
  }

  private cookie(value: string, maxAgeSeconds: number): string {
    return serializeCookie(STATE_COOKIE, value, {
      path: this.cookiePath,
      maxAgeSeconds,
      secure: this.secureCookie,
    });
  }

  private requireStrategy(): PassportStrategy {
    this.assertEnabled();
    return this.strategy as PassportStrategy;
  }
}

/** Each way a provider can fail gets its own code. */
function errorCode(error: unknown): IdentityErrorCode {
  if (error instanceof ProviderFailure) {
    return error.code;
  }
  const { name, message } = (error ?? {}) as { name?: string; message?: string };
  if (name === 'TokenError' || message?.startsWith('Failed to obtain access token')) {
    return 'AUTH_OAUTH_TOKEN_EXCHANGE_FAILED';
  }
  if (message?.startsWith('Failed to fetch user profile')) {
    return 'AUTH_OAUTH_PROFILE_UNREADABLE';
  }
  return 'AUTH_OAUTH_PROVIDER_ERROR';
}

function errorName(error: unknown): string {
  const { name, message } = (error ?? {}) as { name?: string; message?: string };
  return `${name ?? 'Error'}: ${(message ?? '').slice(0, 200)}`;
}

/** Only single string values of the parameters OAuth uses; a repeated parameter is refused. */
function callbackParams(query: Record<string, unknown>): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (const name of ['code', 'state', 'error', 'error_description']) {
    const value = query[name];
    if (value === undefined) {
      continue;
    }
    if (typeof value !== 'string' || value.length > 2048) {
      return undefined;
    }
    params[name] = value;
  }
  return params;
}

function sameText(expected: string, provided: unknown): boolean {
  if (typeof provided !== 'string') {
    return false;
  }
  const a = Buffer.from(expected);
  const b = Buffer.from(provided);
  return a.length === b.length && timingSafeEqual(a, b);
}
