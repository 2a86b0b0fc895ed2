import { Injectable, Logger } from '@nestjs/common';
import type { UserPrincipal } from '../../../common/auth/principal.js';
import { AppException } from '../../../common/errors/app.exception.js';
import { AppConfigService } from '../../../config/app-config.service.js';
import type { DeviceInfo } from '../../auth/sessions.service.js';
import { frontendPath, frontendUrlFor } from './frontend-redirect.js';
import { GoogleOAuth, type OAuthFlow } from './google-oauth.js';
import { GoogleSignIn } from './google-sign-in.service.js';

const CALLBACK_PATH = '/auth/callback';

export interface FlowStart {
  location: string;
  cookie: string;
}

/** The browser's round trip: start at the provider, come back, land on the web app. */
@Injectable()
export class GoogleAuthService {
  private readonly logger = new Logger(GoogleAuthService.name);
  private readonly frontendUrl: string;

  constructor(
    private readonly oauth: GoogleOAuth,
    private readonly signIn: GoogleSignIn,
    config: AppConfigService,
  ) {
    this.frontendUrl = config.get('FRONTEND_URL');
  }

  start(redirect: string | undefined): Promise<FlowStart> {
    this.oauth.assertEnabled();
    return this.oauth.start({ redirect: this.checkedRedirect(redirect), link: null });
  }

  startLink(user: UserPrincipal, redirect: string | undefined): Promise<FlowStart> {
    this.oauth.assertEnabled();
    return this.oauth.start({
      redirect: this.checkedRedirect(redirect),
      link: { userId: user.userId, sessionId: user.sessionId ?? '' },
    });
  }

  /**
   * Where the browser goes after the provider: the web app's callback page with a single-use
   * code (sign-in), `linked=google` (link), or `error` and `error_description`. Never a token.
   */
  async finish(
    query: Record<string, unknown>,
    cookieHeader: string | undefined,
    device: DeviceInfo,
  ): Promise<string> {
    this.oauth.assertEnabled();
    const result = await this.oauth.finish(query, cookieHeader);
    if (!result.ok) {
      return this.landing(result.flow, { error: new AppException(result.code) });
    }
    try {
      if (result.flow.link) {
        await this.signIn.link(result.profile, result.flow.link, device);
        return this.landing(result.flow, { linked: 'google' });
      }
      const code = await this.signIn.signIn(result.profile, device);
      return this.landing(result.flow, { code });
    } catch (error) {
      if (error instanceof AppException) {
        return this.landing(result.flow, { error });
      }
      this.logger.error({ err: error }, 'Google sign-in failed');
      return this.landing(result.flow, { error: new AppException('COMMON_INTERNAL_ERROR') });
    }
  }

  private landing(
    flow: OAuthFlow | null,
    outcome: { code?: string; linked?: string; error?: AppException },
  ): string {
    return frontendUrlFor(this.frontendUrl, CALLBACK_PATH, {
      code: outcome.code,
      linked: outcome.linked,
      error: outcome.error?.code,
      error_description: outcome.error?.message,
      redirect: flow?.redirect ?? undefined,
    });
  }

  private checkedRedirect(redirect: string | undefined): string | null {
    if (redirect === undefined) {
      return null;
    }
    const path = frontendPath(redirect, this.frontendUrl);
    if (path === undefined) {
      throw new AppException('AUTH_REDIRECT_NOT_ALLOWED');
    }
    return path;
  }
}
