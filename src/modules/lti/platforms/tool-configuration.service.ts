import { Injectable } from '@nestjs/common';
import { AppConfigService } from '../../../config/app-config.service.js';
import { TOOL_NAME, TOOL_SCOPES } from '../registration/tool-configuration.js';
import type { ToolConfigurationDto } from './dto/tool-configuration.dto.js';

/** What a school admin pastes into their LMS, built from PUBLIC_URL alone. */
@Injectable()
export class ToolConfiguration {
  private readonly publicUrl: string;

  constructor(config: AppConfigService) {
    this.publicUrl = config.publicUrl;
  }

  generic(): ToolConfigurationDto {
    const launch = `${this.publicUrl}/lti/launch`;
    const login = `${this.publicUrl}/lti/login`;
    const jwks = `${this.publicUrl}/lti/jwks`;
    return {
      login_url: login,
      redirect_uris: [launch],
      target_link_uri: launch,
      jwks_url: jwks,
      domain: new URL(this.publicUrl).host,
      dynamic_registration_url: `${this.publicUrl}/lti/register`,
      scopes: TOOL_SCOPES,
      canvas: {
        title: TOOL_NAME,
        description: 'DreamSeed learning platform',
        oidc_initiation_url: login,
        target_link_uri: launch,
        public_jwk_url: jwks,
        scopes: TOOL_SCOPES,
        extensions: [
          {
            platform: 'canvas.instructure.com',
            privacy_level: 'public',
            settings: {
              placements: [
                { placement: 'course_navigation', message_type: 'LtiResourceLinkRequest' },
                { placement: 'link_selection', message_type: 'LtiDeepLinkingRequest' },
              ],
            },
          },
        ],
        custom_fields: {},
      },
    };
  }
}
