import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Audited } from '../../common/audit/audited.decorator.js';
import { Access } from '../../common/auth/access.decorator.js';
import { CurrentUser } from '../../common/auth/current-user.decorator.js';
import type { UserPrincipal } from '../../common/auth/principal.js';
import { Device } from './device.decorator.js';
import { ChangePasswordDto } from './dto/auth-requests.dto.js';
import { SessionDto } from './dto/session.dto.js';
import { MySessionsService } from './my-sessions.service.js';
import { PasswordChange } from './passwords/password-change.service.js';
import type { DeviceInfo } from './sessions.service.js';
import { ApiErrors } from '../../common/errors/api-errors.decorator.js';
import { UuidPipe } from '../../common/validation/uuid.pipe.js';

@ApiTags('users')
@Access()
@Controller('users/me')
export class AccountController {
  constructor(
    private readonly passwordChange: PasswordChange,
    private readonly mySessions: MySessionsService,
  ) {}

  @Post('password')
  @Access({ pendingPasswordChange: 'allowed', impersonation: 'refused' })
  @HttpCode(HttpStatus.NO_CONTENT)
  @Audited({ action: 'user.password_changed', resource: 'user' })
  @ApiOperation({ summary: 'Change your password; your other sessions end' })
  @ApiNoContentResponse()
  @ApiErrors('USER_PASSWORD_INCORRECT')
  async changePassword(
    @CurrentUser() user: UserPrincipal,
    @Body() dto: ChangePasswordDto,
    @Device() device: DeviceInfo,
  ): Promise<void> {
    await this.passwordChange.change(user, dto.current_password, dto.new_password, device);
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
  @ApiErrors('AUTH_SESSION_NOT_FOUND')
  async revokeSession(
    @CurrentUser() user: UserPrincipal,
    @Param('id', UuidPipe) id: string,
  ): Promise<void> {
    await this.mySessions.revoke(user, id);
  }
}
