import { Injectable } from '@nestjs/common';
import { APP_NAME, APP_VERSION } from '../../common/app-info.js';
import type { ServiceStatusDto } from './service-status.dto.js';

@Injectable()
export class StatusService {
  current(): ServiceStatusDto {
    return {
      service: APP_NAME,
      version: APP_VERSION,
      api_version: 'v1',
      time: new Date().toISOString(),
    };
  }
}
