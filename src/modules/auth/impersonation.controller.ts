import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Audited } from '../../common/audit/audited.decorator.js';
import { CurrentUser } from '../../common/auth/current-user.decorator.js';
import { Access } from '../../common/auth/access.decorator.js';
import type { UserPrincipal } from '../../common/auth/principal.js';
import { Device } from './device.decorator.js';
import { ImpersonateDto, ImpersonationTokenDto } from './dto/impersonate.dto.js';
import { ImpersonationService } from './impersonation.service.js';
import type { DeviceInfo } from './sessions.service.js';
import { ApiErrors } from '../../common/errors/api-errors.decorator.js';

@ApiTags('admin')
@Controller('admin')
export class ImpersonationController {
  constructor(private readonly impersonation: ImpersonationService) {}

  @Post('impersonate')
  @HttpCode(HttpStatus.OK)
  @Access({ roles: ['admin'], impersonation: 'refused' })
  @Audited({ action: 'auth.impersonate', resource: 'user' })
  @ApiOperation({
    summary: 'Act as a user for support (30 minutes, audited)',
    description:
      'Super admins: anyone but super admins. Tenant admins: students and teachers of their tenant. The token cannot change passwords, emails or API keys; every mutating call is audited with the real actor.',
  })
  @ApiOkResponse({ type: ImpersonationTokenDto })
  @ApiErrors(
    'USER_NOT_FOUND',
    'AUTH_CANNOT_IMPERSONATE',
    'USER_ACCOUNT_SELF_MANAGED',
    'USER_ACCOUNT_MANAGED_ELSEWHERE',
  )
  start(
    @CurrentUser() actor: UserPrincipal,
    @Body() dto: ImpersonateDto,
    @Device() device: DeviceInfo,
  ): Promise<ImpersonationTokenDto> {
    return this.impersonation.start(actor, dto, device);
  }
}
