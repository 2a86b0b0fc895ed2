import {
  Body,
  Controller,
  HttpCode,
  HttpStatus,
  Param,
  Post,
  VERSION_NEUTRAL,
} from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '../../common/auth/access.decorator.js';
import { TenantPathPipe } from '../../common/validation/tenant-id.pipe.js';
import { IngestUsageDto, IngestUsageResultDto } from './dto/ingest-usage.dto.js';
import { UsageIngestionService } from './usage-ingestion.service.js';
import { ApiErrors } from '../../common/errors/api-errors.decorator.js';

@ApiTags('market')
@Access.market()
@Controller({ path: 'mt/tenant/:tenantId', version: VERSION_NEUTRAL })
export class UsageIngestionController {
  constructor(private readonly ingestion: UsageIngestionService) {}

  @Post('usage-events')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Report AI usage: a batch of up to 1,000 events, idempotent by event_id',
    description:
      "Sent by the platform's AI services. Each new event is priced (platform price table, overridden by the tenant's settings.model_prices) and counted in the stats at once. A resent event_id is a duplicate and changes nothing. Events of users who are not members of the tenant are rejected one by one and listed; any invalid field, a repeated event_id in the batch, or occurred_at more than 5 minutes ahead or 400 days back refuses the whole batch. A deactivated tenant still accepts usage (reported late).",
  })
  @ApiOkResponse({ type: IngestUsageResultDto })
  @ApiErrors('TENANT_NOT_FOUND')
  ingest(
    @Param('tenantId', TenantPathPipe) tenantId: string,
    @Body() dto: IngestUsageDto,
  ): Promise<IngestUsageResultDto> {
    return this.ingestion.ingest(tenantId, dto);
  }
}
