import { Injectable, Logger } from '@nestjs/common';
import type { UserPrincipal } from '../../../common/auth/principal.js';
import { AppException } from '../../../common/errors/app.exception.js';
import { AppConfigService } from '../../../config/app-config.service.js';
import { providerMessage } from '../identities.errors.js';
import type { DeviceInfo } from '../../auth/sessions.service.js';
import { frontendPath, frontendUrlFor } from '../frontend-redirect.js';
import type { IdentityProvider } from '../identity.entity.js';
import type { OAuthFlow } from './provider-oauth.js';
import { ProviderRegistry } from './provider-registry.js';
import { ProviderSignIn } from './provider-sign-in.service.js';

const CALLBACK_PATH = '/auth/callback';

export interface FlowStart {
  location: string;
  cookie: string;
}

/** The browser's round trip: start at the provider, come back, land on the web app. */
@Injectable()
export class ProviderAuthService {
  private readonly logger = new Logger(ProviderAuthService.name);
  private readonly frontendUrl: string;

  constructor(
    private readonly registry: ProviderRegistry,
    private readonly signIn: ProviderSignIn,
    config: AppConfigService,
  ) {
    this.frontendUrl = config.get('FRONTEND_URL');
  }

  /** The enabled providers, for a sign-in page. */
  providers(): Array<{ id: IdentityProvider; name: string }> {
    return this.registry
      .list()
      .map((flow) => ({ id: flow.definition.id, name: flow.definition.displayName }));
  }

  start(provider: IdentityProvider, redirect: string | undefined): Promise<FlowStart> {
    const oauth = this.registry.enabled(provider);
    return oauth.start({ redirect: this.checkedRedirect(redirect), link: null });
  }

  startLink(
    provider: IdentityProvider,
    user: UserPrincipal,
    redirect: string | undefined,
  ): Promise<FlowStart> {
    const oauth = this.registry.enabled(provider);
    return oauth.start({
      redirect: this.checkedRedirect(redirect),
      link: { userId: user.userId, sessionId: user.sessionId ?? '' },
    });
  }

  /**
   * Where the browser goes after the provider: the web app's callback page with a single-use
   * code (sign-in), `linked=<provider>` (link), or `error` and `error_description`. Never a
   * token.
   */
  async finish(
    provider: IdentityProvider,
    query: Record<string, unknown>,
    cookieHeader: string | undefined,
    device: DeviceInfo,
  ): Promise<string> {
    const oauth = this.registry.enabled(provider);
    const definition = oauth.definition;
    const result = await oauth.finish(query, cookieHeader);
    if (!result.ok) {
      return this.landing(result.flow, {
        error: new AppException(result.code, providerMessage(result.code, definition.displayName)),
      });
    }
    try {
      if (result.flow.link) {
        await this.signIn.link(definition, result.profile, result.flow.link, device);
        return this.landing(result.flow, { linked: definition.id });
      }
      const code = await this.signIn.signIn(definition, result.profile, device);
      return this.landing(result.flow, { code });
    } catch (error) {
      if (error instanceof AppException) {
        return this.landing(result.flow, { error });
      }
      this.logger.error({ err: error, provider }, 'provider sign-in failed');
      return this.landing(result.flow, { error: new AppException('COMMON_INTERNAL_ERROR') });
    }
  }

  /**
   * The error code travels in the query (as it always has for Google) and again in the
   * fragment, which a web app can read without it reaching its server's access logs.
   */
  private landing(
    flow: OAuthFlow | null,
    outcome: { code?: string; linked?: string; error?: AppException },
  ): string {
    return frontendUrlFor(
      this.frontendUrl,
      CALLBACK_PATH,
      {
        code: outcome.code,
        linked: outcome.linked,
        error: outcome.error?.code,
        error_description: outcome.error?.message,
        redirect: flow?.redirect ?? undefined,
      },
      { error: outcome.error?.code },
    );
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
