import type { DeploymentDto } from './platform.dto.js';

export class ToolConfigurationDto {
  /** OIDC login initiation URL @example https://api.dreamseed.example/lti/login */
  login_url!: string;
  /** Redirect URIs (the launch) */
  redirect_uris!: string[];
  /** @example https://api.dreamseed.example/lti/launch */
  target_link_uri!: string;
  /** The tool's public keys @example https://api.dreamseed.example/lti/jwks */
  jwks_url!: string;
  /** @example api.dreamseed.example */
  domain!: string;
  /** Append `?registration_link=` from POST /api/v1/lti/registration-links */
  dynamic_registration_url!: string;
  /** The LTI Advantage scopes the tool asks for */
  scopes!: string[];
  /** Canvas's developer key JSON configuration (paste as JSON) */
  canvas!: Record<string, unknown>;
}

export class PlatformToolConfigurationDto extends ToolConfigurationDto {
  /** @example 10000000000004 */
  client_id!: string;
  /** @example https://canvas.instructure.com */
  issuer!: string;
  deployments!: DeploymentDto[];
}
