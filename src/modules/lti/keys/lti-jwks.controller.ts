import { Controller, Get, Header, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '../../../common/auth/access.decorator.js';
import { SkipAllThrottles } from '../../../common/throttling/skip-all-throttles.decorator.js';
import type { LtiPublicJwk } from './lti-tool-keys.repository.js';
import { LtiToolKeys } from './lti-tool-keys.service.js';

@ApiTags('lti')
@Access.public()
@SkipAllThrottles()
@Controller({ path: 'lti', version: VERSION_NEUTRAL })
export class LtiJwksController {
  constructor(private readonly keys: LtiToolKeys) {}

  @Get('jwks')
  @Header('Cache-Control', 'public, max-age=300')
  @ApiOperation({
    summary:
      "The LTI tool's public keys (RS256): the signing key and the previous ones still published",
  })
  @ApiOkResponse({ description: 'A JSON Web Key Set' })
  jwks(): Promise<{ keys: LtiPublicJwk[] }> {
    return this.keys.jwks();
  }
}
