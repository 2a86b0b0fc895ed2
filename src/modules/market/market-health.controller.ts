import { Controller, Get, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '../../common/auth/access.decorator.js';
import { APP_NAME, APP_VERSION } from '../../common/app-info.js';

export class MarketHealthDto {
  /** @example healthy */
  status!: 'healthy';
  /** @example dreamseed-platform-api */
  service!: string;
  version!: string;
  timestamp!: string;
}

@ApiTags('market')
@Controller({ path: 'mt', version: VERSION_NEUTRAL })
export class MarketHealthController {
  @Access.public()
  @Get('health')
  @ApiOperation({ summary: 'Service Market health probe (no key needed)' })
  @ApiOkResponse({ type: MarketHealthDto })
  health(): MarketHealthDto {
    return {
      status: 'healthy',
      service: APP_NAME,
      version: APP_VERSION,
      timestamp: new Date().toISOString(),
    };
  }
}
