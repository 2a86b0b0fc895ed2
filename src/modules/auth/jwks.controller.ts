import { Controller, Get, Header, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '../../common/auth/access.decorator.js';
import { SkipAllThrottles } from '../../common/throttling/skip-all-throttles.decorator.js';
import { SigningKeys, type PublicJwk } from './tokens/signing-keys.service.js';

@ApiTags('auth')
@Access.public()
@SkipAllThrottles()
@Controller({ path: '.well-known', version: VERSION_NEUTRAL })
export class JwksController {
  constructor(private readonly keys: SigningKeys) {}

  @Get('jwks.json')
  @Header('Cache-Control', 'public, max-age=300')
  @ApiOperation({
    summary:
      'Public keys that verify our access tokens (ES256 P-256, or RS256 before a switch), current and still-valid previous',
  })
  @ApiOkResponse({ description: 'A JSON Web Key Set' })
  jwks(): { keys: PublicJwk[] } {
    return this.keys.jwks();
  }
}
