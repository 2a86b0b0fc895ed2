import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Clock } from '../../../common/clock/clock.js';
import { AppConfigService } from '../../../config/app-config.service.js';
import { refuse } from './id-token-validator.js';
import { LtiLaunchRepository, type LaunchPlatform } from './lti-launch.repository.js';
import { storeStatePage } from './lti-pages.js';

const STATE_TTL_MS = 10 * 60 * 1000;
const MAX_PARAM = 2048;

export type LoginParams = Record<string, unknown>;

export type LoginAnswer =
  | { kind: 'redirect'; location: string; cookie: string }
  | { kind: 'page'; html: string; cookie: string };

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The state cookie of one launch: several launches may run at once in one page. */
export function stateCookieName(stateHash: string): string {
  return `lti_state_${stateHash.slice(0, 16)}`;
}

export function storageKey(state: string): string {
  return `dreamseed_state_${sha256(state).slice(0, 32)}`;
}

/**
 * Login initiation (LTI 1.3 Core §5.1.1, OIDC third-party initiated login): find the
 * registration, keep `target_link_uri` on our own origin, then send the browser to the
 * platform with a fresh state and nonce kept here, bound to this browser by a cookie and, when
 * the platform offers it, by platform storage.
 */
@Injectable()
export class LtiLogin {
  private readonly publicUrl: string;

  constructor(
    private readonly launches: LtiLaunchRepository,
    private readonly clock: Clock,
    config: AppConfigService,
  ) {
    this.publicUrl = config.publicUrl;
  }

  get launchUrl(): string {
    return `${this.publicUrl}/lti/launch`;
  }

  async start(params: LoginParams): Promise<LoginAnswer> {
    const iss = param(params, 'iss');
    const loginHint = param(params, 'login_hint');
    const targetLinkUri = param(params, 'target_link_uri');
    if (!iss || !loginHint || !targetLinkUri) {
      throw refuse('LTI_LOGIN_INVALID');
    }
    const platform = await this.platformFor(iss, param(params, 'client_id'));
    if (!this.isOwnUrl(targetLinkUri)) {
      throw refuse('LTI_TARGET_LINK_NOT_ALLOWED');
    }
    const messageHint = param(params, 'lti_message_hint');
    const deploymentId = param(params, 'lti_deployment_id');
    const storageTarget = param(params, 'lti_storage_target');
    const state = randomBytes(32).toString('base64url');
    const nonce = randomBytes(24).toString('base64url');
    const binding = randomBytes(32).toString('base64url');
    const stateHash = sha256(state);
    const loginParams: Record<string, string> = {
      iss,
      login_hint: loginHint,
      target_link_uri: targetLinkUri,
      client_id: platform.clientId,
    };
    if (messageHint) {
      loginParams.lti_message_hint = messageHint;
    }
    if (deploymentId) {
      loginParams.lti_deployment_id = deploymentId;
    }
    if (storageTarget) {
      loginParams.lti_storage_target = storageTarget;
    }
    await this.launches.insertLoginState({
      stateHash,
      platformId: platform.id,
      nonce,
      browserHash: sha256(binding),
      targetLinkUri,
      deploymentId: deploymentId ?? null,
      loginParams,
      expiresAt: new Date(this.clock.now().getTime() + STATE_TTL_MS),
    });
    const location = this.authorizationUrl(platform, { state, nonce, loginHint, messageHint });
    const cookie = `${stateCookieName(stateHash)}=${binding}; Path=/lti; Max-Age=${STATE_TTL_MS / 1000}; HttpOnly; Secure; SameSite=None; Partitioned`;
    if (!storageTarget) {
      return { kind: 'redirect', location, cookie };
    }
    return {
      kind: 'page',
      cookie,
      html: storeStatePage({
        platformOrigin: new URL(platform.authLoginUrl).origin,
        target: storageTarget,
        key: storageKey(state),
        value: binding,
        next: location,
      }),
    };
  }

  /** The login again, for a top-level window (first-party cookies), from a kept state. */
  newWindowUrl(loginParams: Record<string, string>): string | undefined {
    if (!loginParams.iss) {
      return undefined;
    }
    const { lti_storage_target: _dropped, ...rest } = loginParams;
    return `${this.publicUrl}/lti/login?${new URLSearchParams(rest).toString()}`;
  }

  isOwnUrl(url: string): boolean {
    try {
      return new URL(url).origin === new URL(this.publicUrl).origin;
    } catch {
      return false;
    }
  }

  private async platformFor(iss: string, clientId: string | undefined): Promise<LaunchPlatform> {
    const platforms = await this.launches.platformsOf(iss, clientId);
    if (platforms.length === 0) {
      throw refuse('LTI_UNKNOWN_ISSUER');
    }
    if (platforms.length > 1) {
      // Several schools share the issuer (Canvas cloud): only the client_id tells them apart.
      throw refuse('LTI_LOGIN_INVALID', { missing: 'client_id' });
    }
    const platform = platforms[0];
    if (platform.status !== 'active') {
      throw refuse('LTI_PLATFORM_NOT_ACTIVE');
    }
    return platform;
  }

  private authorizationUrl(
    platform: LaunchPlatform,
    values: { state: string; nonce: string; loginHint: string; messageHint: string | undefined },
  ): string {
    const url = new URL(platform.authLoginUrl);
    const query: Record<string, string> = {
      scope: 'openid',
      response_type: 'id_token',
      response_mode: 'form_post',
      prompt: 'none',
      client_id: platform.clientId,
      redirect_uri: this.launchUrl,
      login_hint: values.loginHint,
      state: values.state,
      nonce: values.nonce,
    };
    if (values.messageHint) {
      query.lti_message_hint = values.messageHint;
    }
    for (const [name, value] of Object.entries(query)) {
      url.searchParams.set(name, value);
    }
    return url.toString();
  }
}

export function param(params: LoginParams, name: string): string | undefined {
  const value = params[name];
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_PARAM
    ? value
    : undefined;
}
