import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '../../common/auth/access.decorator.js';
import { ServiceStatusDto } from './service-status.dto.js';
import { StatusService } from './status.service.js';

@ApiTags('status')
@Access.public()
@Controller('status')
export class StatusController {
  constructor(private readonly status: StatusService) {}

  @Get()
  @ApiOkResponse({ type: ServiceStatusDto, description: 'The service answers' })
  @ApiOperation({
    summary: 'Service name, version and server time; a cheap call clients use to check the API',
  })
  get(): ServiceStatusDto {
    return this.status.current();
  }
}
