import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../../../common/clock/clock.js';
import { AppException } from '../../../common/errors/app.exception.js';
import { AppConfigService } from '../../../config/app-config.service.js';
import { LTI_PRODUCTS, type LtiProduct } from '../entities/lti-platform.entity.js';
import { DynamicRegistrationRepository } from './dynamic-registration.repository.js';
import { toolRegistration } from './tool-configuration.js';

const FETCH_TIMEOUT_MS = 10_000;
const MAX_BODY_BYTES = 256 * 1024;
const PLATFORM_CONFIGURATION = 'https://purl.imsglobal.org/spec/lti-platform-configuration';
const TOOL_CONFIGURATION = 'https://purl.imsglobal.org/spec/lti-tool-configuration';

// product_family_code as platforms send it -> our product names.
const PRODUCT_CODES: Record<string, LtiProduct> = {
  desire2learn: 'brightspace',
  d2l: 'brightspace',
};

interface OpenIdConfiguration {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  registration_endpoint: string;
  authorization_server?: string;
  [PLATFORM_CONFIGURATION]?: { product_family_code?: string };
}

export interface RegistrationRequest {
  registration_link?: unknown;
  openid_configuration?: unknown;
  registration_token?: unknown;
}

/**
 * LTI Dynamic Registration 1.0, tool side: with a school's one-use link, read the platform's
 * OpenID configuration (its issuer on the URL's own origin), register our tool configuration
 * at its registration endpoint, and keep the client it returns awaiting the school's approval.
 */
@Injectable()
export class DynamicRegistration {
  private readonly logger = new Logger(DynamicRegistration.name);
  private readonly publicUrl: string;

  constructor(
    private readonly repository: DynamicRegistrationRepository,
    private readonly clock: Clock,
    config: AppConfigService,
  ) {
    this.publicUrl = config.publicUrl;
  }

  async register(request: RegistrationRequest): Promise<{ platformId: string }> {
    const link = typeof request.registration_link === 'string' ? request.registration_link : '';
    const tokenHash = createHash('sha256').update(link).digest('hex');
    // The link first: only a school admin's link makes us fetch anything (no open fetcher).
    const tenantId = link
      ? await this.repository.liveLinkTenant(tokenHash, this.clock.now())
      : undefined;
    if (!tenantId) {
      throw new AppException('LTI_REGISTRATION_LINK_INVALID');
    }
    const configUrl = httpUrl(request.openid_configuration);
    if (!configUrl) {
      throw new AppException('LTI_REGISTRATION_REQUEST_INVALID');
    }
    const token =
      typeof request.registration_token === 'string' && request.registration_token.length <= 4096
        ? request.registration_token
        : undefined;
    const configuration = await this.openIdConfiguration(configUrl, token);
    const answer = await this.post(configuration.registration_endpoint, token);
    const clientId = answer.client_id;
    if (typeof clientId !== 'string' || clientId.length === 0 || clientId.length > 255) {
      throw configInvalid('the registration answer has no client_id');
    }
    const tool = answer[TOOL_CONFIGURATION] as { deployment_id?: unknown } | undefined;
    const deploymentId =
      typeof tool?.deployment_id === 'string' && tool.deployment_id.length <= 255
        ? tool.deployment_id
        : null;
    const product = productOf(configuration[PLATFORM_CONFIGURATION]?.product_family_code);
    const outcome = await this.repository.register(
      tokenHash,
      {
        tenantId,
        issuer: configuration.issuer,
        clientId,
        authLoginUrl: configuration.authorization_endpoint,
        tokenUrl: configuration.token_endpoint,
        tokenAudience: httpUrl(configuration.authorization_server) ?? null,
        jwksUrl: configuration.jwks_uri,
        displayName:
          `${product === 'other' ? 'LMS' : product} at ${new URL(configuration.issuer).host}`.slice(
            0,
            100,
          ),
        product,
        deploymentId,
      },
      this.clock.now(),
    );
    if ('refused' in outcome) {
      throw new AppException(
        outcome.refused === 'link' ? 'LTI_REGISTRATION_LINK_INVALID' : 'LTI_REGISTRATION_EXISTS',
      );
    }
    this.logger.log(
      { platform_id: outcome.platformId, tenant_id: tenantId },
      'LTI platform registered dynamically',
    );
    return outcome;
  }

  private async openIdConfiguration(
    url: string,
    token: string | undefined,
  ): Promise<OpenIdConfiguration> {
    const body = await this.fetchJson(url, {
      headers: {
        accept: 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
    });
    const issuer = httpUrl(body.issuer);
    if (!issuer) {
      throw configInvalid('no issuer');
    }
    if (new URL(issuer).origin !== new URL(url).origin) {
      throw configInvalid('the issuer is not on the configuration URL’s origin');
    }
    for (const field of [
      'authorization_endpoint',
      'token_endpoint',
      'jwks_uri',
      'registration_endpoint',
    ]) {
      if (!httpUrl(body[field])) {
        throw configInvalid(`no ${field}`);
      }
    }
    return body as unknown as OpenIdConfiguration;
  }

  private post(endpoint: string, token: string | undefined): Promise<Record<string, unknown>> {
    return this.fetchJson(
      endpoint,
      {
        method: 'POST',
        headers: {
          accept: 'application/json',
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify(toolRegistration(this.publicUrl)),
      },
      true,
    );
  }

  private async fetchJson(
    url: string,
    init: RequestInit,
    registering = false,
  ): Promise<Record<string, unknown>> {
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        ...init,
        redirect: 'error',
        signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
      });
      text = await response.text();
    } catch (error) {
      this.logger.warn({ err: error, url }, 'LTI registration: the platform could not be reached');
      throw configInvalid('the platform could not be reached');
    }
    if (!response.ok) {
      if (registering) {
        throw new AppException('LTI_REGISTRATION_REFUSED_BY_PLATFORM', undefined, {
          platform_status: response.status,
          platform_message: text.slice(0, 500),
        });
      }
      throw configInvalid(`the configuration URL answered ${response.status}`);
    }
    if (text.length > MAX_BODY_BYTES) {
      throw configInvalid('the answer is too large');
    }
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
        return parsed as Record<string, unknown>;
      }
    } catch {
      // refused below
    }
    throw configInvalid('the answer is not a JSON object');
  }
}

function configInvalid(reason: string): AppException {
  return new AppException('LTI_REGISTRATION_CONFIG_INVALID', undefined, { reason });
}

function httpUrl(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 2048) {
    return undefined;
  }
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? value : undefined;
  } catch {
    return undefined;
  }
}

function productOf(code: unknown): LtiProduct {
  const name = typeof code === 'string' ? code.toLowerCase() : '';
  const known = LTI_PRODUCTS.find((product) => product === name);
  return PRODUCT_CODES[name] ?? known ?? 'other';
}
