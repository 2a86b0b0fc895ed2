import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBadRequestResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Audited } from '../../common/audit/audited.decorator.js';
import { AllowPendingPasswordChange } from '../../common/auth/pending-password-change.decorator.js';
import { CurrentUser } from '../../common/auth/current-user.decorator.js';
import { NoImpersonation } from '../../common/auth/no-impersonation.decorator.js';
import type { UserPrincipal } from '../../common/auth/principal.js';
import { ErrorEnvelope } from '../../common/errors/error-envelope.dto.js';
import { AuthService } from './auth.service.js';
import { Device } from './device.decorator.js';
import { ChangePasswordDto } from './dto/auth-requests.dto.js';
import { SessionDto } from './dto/session.dto.js';
import { MySessionsService } from './my-sessions.service.js';
import type { DeviceInfo } from './sessions.service.js';
import { UuidPipe } from '../../common/validation/uuid.pipe.js';

@ApiTags('users')
@ApiBearerAuth('bearer')
@Controller('users/me')
export class AccountController {
  constructor(
    private readonly auth: AuthService,
    private readonly mySessions: MySessionsService,
  ) {}

  @Post('password')
  @AllowPendingPasswordChange()
  @NoImpersonation()
  @HttpCode(HttpStatus.NO_CONTENT)
  @Audited({ action: 'user.password_changed', resource: 'user' })
  @ApiOperation({ summary: 'Change your password; your other sessions end' })
  @ApiNoContentResponse()
  @ApiBadRequestResponse({ type: ErrorEnvelope, description: 'USER_PASSWORD_INCORRECT or policy' })
  async changePassword(
    @CurrentUser() user: UserPrincipal,
    @Body() dto: ChangePasswordDto,
    @Device() device: DeviceInfo,
  ): Promise<void> {
    await this.auth.changePassword(user, dto.current_password, dto.new_password, device);
  }

  @Get('sessions')
  @ApiOperation({ summary: 'Your signed-in devices' })
  @ApiOkResponse({ type: [SessionDto] })
  sessions(@CurrentUser() user: UserPrincipal): Promise<SessionDto[]> {
    return this.mySessions.list(user);
  }

  @Delete('sessions/:id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @Audited({ action: 'session.revoked', resource: 'session' })
  @ApiOperation({ summary: 'Sign one of your devices out' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorEnvelope, description: 'AUTH_SESSION_NOT_FOUND' })
  async revokeSession(
    @CurrentUser() user: UserPrincipal,
    @Param('id', UuidPipe) id: string,
  ): Promise<void> {
    await this.mySessions.revoke(user, id);
  }
}
