import { randomBytes, timingSafeEqual } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import type { Strategy as PassportStrategy } from 'passport';
import {
  Strategy as GoogleStrategy,
  type GoogleCallbackParameters,
  type Profile,
  type VerifyCallback,
} from 'passport-google-oauth20';
import { runStrategy } from '../../../common/auth/run-strategy.js';
import { Clock } from '../../../common/clock/clock.js';
import { AppException } from '../../../common/errors/app.exception.js';
import { readCookie, serializeCookie } from '../../../common/http/cookies.js';
import { SealedBox } from '../../../common/http/sealed-box.js';
import { AppConfigService } from '../../../config/app-config.service.js';
import { SigningKeys } from '../../auth/tokens/signing-keys.service.js';
import type { IdentityErrorCode } from '../identities.errors.js';

export const GOOGLE_SCOPES = ['openid', 'email', 'profile'];
const STATE_COOKIE = 'ds_oauth_state';
const STATE_COOKIE_PATH = '/api/v1/auth/google';
const STATE_TTL_SECONDS = 600;

/** What the browser's round trip through the provider is for, carried in the sealed cookie. */
export interface OAuthFlow {
  redirect: string | null;
  /** Set when a signed-in user links their Google account (and the session that asked). */
  link: { userId: string; sessionId: string } | null;
}

export interface GoogleProfile {
  subject: string;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
  hostedDomain: string | null;
}

export type CallbackResult =
  | { ok: true; profile: GoogleProfile; flow: OAuthFlow }
  | { ok: false; code: IdentityErrorCode; flow: OAuthFlow | null };

interface StateCookie {
  state: string;
  verifier: string;
  flow: OAuthFlow;
  expiresAt: number;
}

/** The request passport sees: only the callback's query and our cookie. */
interface FlowRequest {
  query: Record<string, string>;
  headers: { cookie?: string };
  setCookie?: string;
  flow?: OAuthFlow;
}

type Done = (error: Error | null, ok?: unknown, state?: unknown) => void;

/**
 * passport-google-oauth20 with PKCE, and `state` kept in a short-lived, sealed, HttpOnly
 * cookie instead of a server session. Works against any OpenID provider (see GOOGLE_*_URL).
 */
@Injectable()
export class GoogleOAuth {
  private readonly logger = new Logger(GoogleOAuth.name);
  private readonly strategy?: GoogleStrategy;
  private readonly box: SealedBox;
  private readonly secureCookie: boolean;

  constructor(config: AppConfigService, keys: SigningKeys, clock: Clock) {
    this.box = new SealedBox(keys.deriveSecret('oauth-state-cookie'));
    const clientID = config.get('GOOGLE_CLIENT_ID');
    const callbackURL =
      config.get('GOOGLE_CALLBACK_URL') ??
      `http://localhost:${config.get('PORT')}/api/v1/auth/google/callback`;
    this.secureCookie = callbackURL.startsWith('https:');
    if (!clientID) {
      return;
    }
    const store = {
      store: (
        request: FlowRequest,
        verifier: string,
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
        done(null, sealed.verifier, sealed.flow);
      },
    };
    this.strategy = new GoogleStrategy(
      {
        clientID,
        clientSecret: config.get('GOOGLE_CLIENT_SECRET') ?? '',
        callbackURL,
        authorizationURL: config.get('GOOGLE_AUTHORIZATION_URL'),
        tokenURL: config.get('GOOGLE_TOKEN_URL'),
        userProfileURL: config.get('GOOGLE_USERINFO_URL'),
        scope: GOOGLE_SCOPES,
        pkce: true,
        store: store as never,
      },
      // The provider's tokens are not kept: the profile is all we need.
      (
        _access: string,
        _refresh: string,
        _params: GoogleCallbackParameters,
        profile: Profile,
        done: VerifyCallback,
      ) => done(null, profile),
    );
    // Strict providers refuse an access token in the query string.
    (
      this.strategy as unknown as { _oauth2: { useAuthorizationHeaderforGET(on: boolean): void } }
    )._oauth2.useAuthorizationHeaderforGET(true);
  }

  get enabled(): boolean {
    return this.strategy !== undefined;
  }

  assertEnabled(): void {
    if (!this.strategy) {
      throw new AppException('AUTH_PROVIDER_DISABLED');
    }
  }

  /** The provider's authorization URL, and the cookie that must accompany the browser back. */
  async start(flow: OAuthFlow): Promise<{ location: string; cookie: string }> {
    const request: FlowRequest = { query: {}, headers: {} };
    const outcome = await runStrategy(this.requireStrategy(), request, { state: flow });
    if (outcome.kind !== 'redirect' || !request.setCookie) {
      this.logger.error({ outcome: outcome.kind }, 'the OAuth strategy did not redirect');
      throw new AppException('AUTH_OAUTH_PROVIDER_ERROR');
    }
    return { location: outcome.url, cookie: request.setCookie };
  }

  /** Checks state, swaps the code (with the PKCE verifier) and reads the userinfo profile. */
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
        return {
          ok: true,
          profile: toGoogleProfile(outcome.user as Profile),
          flow: flow as OAuthFlow,
        };
      case 'fail': {
        const code = (outcome.info as { code?: IdentityErrorCode } | undefined)?.code;
        return { ok: false, code: code ?? 'AUTH_OAUTH_DENIED', flow };
      }
      case 'error':
        this.logger.warn({ err: outcome.error }, 'the OAuth provider refused the sign-in');
        return { ok: false, code: 'AUTH_OAUTH_PROVIDER_ERROR', flow };
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
      path: STATE_COOKIE_PATH,
      maxAgeSeconds,
      secure: this.secureCookie,
    });
  }

  private requireStrategy(): PassportStrategy {
    this.assertEnabled();
    return this.strategy as PassportStrategy;
  }
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

function toGoogleProfile(profile: Profile): GoogleProfile {
  const claims = (profile._json ?? {}) as Record<string, unknown>;
  const email = typeof claims.email === 'string' ? claims.email.trim().toLowerCase() : null;
  return {
    subject: typeof claims.sub === 'string' ? claims.sub : profile.id,
    email: email && email.length <= 254 ? email : null,
    // Some providers send the claim as a string.
    emailVerified: claims.email_verified === true || claims.email_verified === 'true',
    name: typeof claims.name === 'string' ? claims.name.slice(0, 100) : null,
    hostedDomain: typeof claims.hd === 'string' ? claims.hd.toLowerCase() : null,
  };
}
