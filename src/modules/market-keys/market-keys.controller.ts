import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Audited } from '../../common/audit/audited.decorator.js';
import { CurrentUser } from '../../common/auth/current-user.decorator.js';
import { Access } from '../../common/auth/access.decorator.js';
import type { UserPrincipal } from '../../common/auth/principal.js';
import { CreatedMarketKeyDto, CreateMarketKeyDto, MarketKeyDto } from './dto/market-key.dto.js';
import { MarketKeysService } from './market-keys.service.js';
import { ApiErrors } from '../../common/errors/api-errors.decorator.js';
import { UuidPipe } from '../../common/validation/uuid.pipe.js';

@ApiTags('market-keys')
@Access({ roles: ['super_admin'], impersonation: 'refused' })
@Controller('admin/market-keys')
export class MarketKeysController {
  constructor(private readonly keys: MarketKeysService) {}

  @Post()
  @Audited({ action: 'market_key.created', resource: 'market_key' })
  @ApiOperation({
    summary: 'Create a Service Market key (shown once); several may be live for rotation',
  })
  @ApiCreatedResponse({ type: CreatedMarketKeyDto })
  create(
    @CurrentUser() user: UserPrincipal,
    @Body() dto: CreateMarketKeyDto,
  ): Promise<CreatedMarketKeyDto> {
    return this.keys.create(user, dto.name);
  }

  @Get()
  @ApiOperation({ summary: 'Every market key, live and revoked (never the key itself)' })
  @ApiOkResponse({ type: [MarketKeyDto] })
  list(): Promise<MarketKeyDto[]> {
    return this.keys.list();
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @Audited({ action: 'market_key.revoked', resource: 'market_key' })
  @ApiOperation({ summary: 'Revoke a market key: refused from the next request on' })
  @ApiNoContentResponse()
  @ApiErrors('MARKET_KEY_NOT_FOUND')
  async revoke(@Param('id', UuidPipe) id: string): Promise<void> {
    await this.keys.revoke(id);
  }
}
