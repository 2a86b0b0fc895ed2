import { Injectable } from '@nestjs/common';
import { Clock } from '../../../common/clock/clock.js';
import { AppException } from '../../../common/errors/app.exception.js';
import { SealedBox } from '../../../common/http/sealed-box.js';
import { AppConfigService } from '../../../config/app-config.service.js';
import { SigningKeys } from '../../auth/tokens/signing-keys.service.js';
import type { IdentityProvider } from '../identity.entity.js';
import { PROVIDER_DEFINITIONS } from '../providers/index.js';
import { ProviderOAuth } from './provider-oauth.js';

/** Every provider's OAuth flow, built once from its definition and env vars. */
@Injectable()
export class ProviderRegistry {
  private readonly flows = new Map<IdentityProvider, ProviderOAuth>();

  constructor(config: AppConfigService, keys: SigningKeys, clock: Clock) {
    const box = new SealedBox(keys.deriveSecret('oauth-state-cookie'));
    for (const definition of PROVIDER_DEFINITIONS) {
      this.flows.set(definition.id, new ProviderOAuth(definition, config, box, clock));
    }
  }

  /** The provider's flow; 404 AUTH_PROVIDER_DISABLED when unknown or off. */
  enabled(id: string): ProviderOAuth {
    const flow = this.flows.get(id as IdentityProvider);
    if (!flow) {
      throw new AppException('AUTH_PROVIDER_DISABLED', 'No such sign-in provider');
    }
    flow.assertEnabled();
    return flow;
  }

  /** The flow, on or off (its cookie is cleared either way). */
  get(id: IdentityProvider): ProviderOAuth | undefined {
    return this.flows.get(id);
  }

  list(): ProviderOAuth[] {
    return [...this.flows.values()].filter((flow) => flow.enabled);
  }
}
