import type { Strategy } from 'passport';
import type { AppConfigService } from '../../../config/app-config.service.js';
import type { SchoolDirectorySetting, SchoolDomainSetting } from '../../tenants/tenant-settings.js';
import type { IdentityErrorCode } from '../identities.errors.js';
import type { IdentityProvider } from '../identity.entity.js';

/** What a provider said about a person, read the same way for every provider. */
export interface ProviderProfile {
  /** The provider's stable account id (never the email). */
  subject: string;
  email: string | null;
  /** The provider vouches that the person owns `email` (see the definition's `emailRule`). */
  email_verified: boolean;
  name: string | null;
  picture: string | null;
  /** A school domain the provider asserts (Google's `hd`); Microsoft's is the email's domain. */
  domain?: string | null;
  /** The directory the account lives in (Microsoft's tenant id), when `domain` needs one. */
  directory?: string | null;
}

/** The provider's endpoints and client, read from its env vars. */
export interface ProviderClient {
  clientID: string;
  clientSecret: string;
  callbackURL: string;
}

/** What the framework hands a definition when it builds the strategy. */
export interface StrategySetup extends ProviderClient {
  scope: string[];
  pkce: boolean;
  /** The state store keeping state, PKCE verifier and nonce in the sealed cookie. */
  store: unknown;
}

/**
 * One sign-in provider: everything that differs between providers. Start, callback, state,
 * PKCE, hand-off code, linking rules, audit and error codes are the framework's.
 */
export interface ProviderDefinition {
  id: IdentityProvider;
  displayName: string;
  /** Its env vars; no client id: the provider is off (404 AUTH_PROVIDER_DISABLED). */
  client(config: AppConfigService): Omit<ProviderClient, 'callbackURL'> & { callbackURL?: string };
  scopes: string[];
  pkce: boolean;
  /** Sends an OpenID `nonce` and checks it in the ID token (the definition's strategy does). */
  nonce?: boolean;
  /**
   * When `email_verified` may link to an existing account by email: `provider` (the provider
   * says so), `school-domain` (only a domain a school lists under `schoolDomains`), `never`.
   */
  emailRule: 'provider' | 'school-domain' | 'never';
  /** The tenant-settings list mapping a school's domains to its tenant. */
  schoolDomains?: SchoolDomainSetting;
  /**
   * The tenant-settings list of a school's own directories: a school's domain counts only for
   * accounts of one of them, because anyone may claim any domain in a directory of their own
   * (Microsoft Entra's unverified domains, "nOAuth").
   */
  schoolDirectories?: SchoolDirectorySetting;
  /**
   * A passport strategy whose verify step answers with the ProviderProfile (or a
   * ProviderFailure); the request's `flow` (its nonce) reaches a passReqToCallback verify.
   */
  strategy(setup: StrategySetup, config: AppConfigService): Strategy;
}

/** A refusal with its own error code, raised while reading the provider's answer. */
export class ProviderFailure extends Error {
  constructor(
    readonly code: IdentityErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ProviderFailure';
  }
}

/** A lower-cased address of sane length, or null. */
export function normalEmail(value: unknown): string | null {
  if (typeof value !== 'string') {
    return null;
  }
  const email = value.trim().toLowerCase();
  return email.length > 0 && email.length <= 254 && email.includes('@') ? email : null;
}

export function shortText(value: unknown, max = 100): string | null {
  return typeof value === 'string' && value.trim() ? value.trim().slice(0, max) : null;
}

export function httpsUrl(value: unknown): string | null {
  return typeof value === 'string' && /^https?:\/\//.test(value) && value.length <= 2048
    ? value
    : null;
}
