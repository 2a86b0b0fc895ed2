import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { SignJWT } from 'jose';
import { LtiKeyEncryption } from '../keys/lti-key-encryption.js';
import { LtiToolKeys } from '../keys/lti-tool-keys.service.js';
import { LtiServiceError, platformMessageOf } from './lti-service-error.js';
import { LtiServicesRepository, type ServicePlatform } from './lti-services.repository.js';
import { LTI_USER_AGENT, LtiServiceHttp } from './lti-service-http.js';

const ASSERTION_LIFETIME_S = 60;
const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

interface Held {
  token: string;
  sealed: string;
  expiresAtMs: number;
}

/**
 * Access tokens for an LMS's services (LTI Security Framework §4.1): OAuth 2 client_credentials
 * with an RS256 client assertion signed by the tool's key. One token per (registration, scopes),
 * kept sealed in lti_service_tokens so every instance shares it, until shortly before it
 * expires; a process keeps its own copy too, and one request at a time fetches a new one.
 * Token times are the wall clock's: they are the LMS's, not the app's (movable) clock's.
 */
@Injectable()
export class LtiServiceTokens {
  private readonly logger = new Logger(LtiServiceTokens.name);
  private readonly held = new Map<string, Held>();
  private readonly fetching = new Map<string, Promise<Held>>();
  /** Tokens an LMS answered 401 to: never taken again from the shared cache. */
  private readonly refused = new Set<string>();

  constructor(
    private readonly repository: LtiServicesRepository,
    private readonly keys: LtiToolKeys,
    private readonly encryption: LtiKeyEncryption,
    private readonly http: LtiServiceHttp,
  ) {}

  async token(platform: ServicePlatform, scopes: readonly string[]): Promise<string> {
    const scope = [...new Set(scopes)].sort().join(' ');
    const key = `${platform.id} ${scope}`;
    const held = this.held.get(key);
    if (held && held.expiresAtMs > Date.now()) {
      return held.token;
    }
    let pending = this.fetching.get(key);
    if (!pending) {
      pending = this.load(platform, scope).finally(() => this.fetching.delete(key));
      this.fetching.set(key, pending);
    }
    const fresh = await pending;
    this.held.set(key, fresh);
    return fresh.token;
  }

  /** The LMS refused `token` (401): the next call fetches a new one. */
  async forget(platform: ServicePlatform, scopes: readonly string[], token: string) {
    const scope = [...new Set(scopes)].sort().join(' ');
    const key = `${platform.id} ${scope}`;
    if (this.refused.size >= 1000) {
      this.refused.clear();
    }
    this.refused.add(token);
    const held = this.held.get(key);
    if (held?.token === token) {
      this.held.delete(key);
      await this.repository.dropToken(platform.id, scope, held.sealed);
    }
  }

  private async load(platform: ServicePlatform, scope: string): Promise<Held> {
    const aad = `lti-service-token:${platform.id}:${scope}`;
    const cached = await this.repository.cachedToken(platform.id, scope, new Date());
    if (cached) {
      try {
        const token = this.encryption.open(cached.sealed, aad);
        // Another job's 401 may not have dropped the shared copy yet.
        if (!this.refused.has(token)) {
          return { token, sealed: cached.sealed, expiresAtMs: cached.expiresAt.getTime() };
        }
      } catch {
        this.logger.warn({ platform_id: platform.id }, 'a cached LMS token could not be opened');
      }
    }
    const { token, expiresIn } = await this.request(platform, scope);
    // Given back shortly before the LMS would refuse it: a tenth of its life, at most a minute.
    const expiresAtMs = Date.now() + (expiresIn - Math.min(60, expiresIn / 10)) * 1000;
    const newSealed = this.encryption.seal(token, aad);
    await this.repository.saveToken(platform.id, scope, newSealed, new Date(expiresAtMs));
    return { token, sealed: newSealed, expiresAtMs };
  }

  private async request(
    platform: ServicePlatform,
    scope: string,
  ): Promise<{ token: string; expiresIn: number }> {
    const signing = await this.keys.signingKey();
    const now = Math.floor(Date.now() / 1000);
    const assertion = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: signing.kid, typ: 'JWT' })
      .setIssuer(platform.clientId)
      .setSubject(platform.clientId)
      .setAudience(platform.tokenAudience ?? platform.tokenUrl)
      .setIssuedAt(now)
      .setExpirationTime(now + ASSERTION_LIFETIME_S)
      .setJti(randomUUID())
      .sign(signing.privateKey);
    const response = await this.http.send(platform.tokenUrl, {
      method: 'POST',
      headers: {
        accept: 'application/json',
        'content-type': 'application/x-www-form-urlencoded',
        'user-agent': LTI_USER_AGENT,
      },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_assertion_type: CLIENT_ASSERTION_TYPE,
        client_assertion: assertion,
        scope,
      }).toString(),
    });
    if (response.status >= 500 || response.status === 429) {
      throw new LtiServiceError(
        'unavailable',
        response.status,
        platformMessageOf(response.text),
        response.retryAfterSeconds,
      );
    }
    const body = response.json() as { access_token?: unknown; expires_in?: unknown } | null;
    if (response.status !== 200 || typeof body?.access_token !== 'string' || !body.access_token) {
      throw new LtiServiceError('token_refused', response.status, platformMessageOf(response.text));
    }
    const expiresIn =
      typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 3600;
    this.logger.debug({ platform_id: platform.id, scope }, 'fetched an LMS access token');
    return { token: body.access_token, expiresIn };
  }
}
