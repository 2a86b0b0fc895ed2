import {
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  ParseEnumPipe,
} from '@nestjs/common';
import {
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { Audited } from '../../common/audit/audited.decorator.js';
import { CurrentUser } from '../../common/auth/current-user.decorator.js';
import { Access } from '../../common/auth/access.decorator.js';
import type { UserPrincipal } from '../../common/auth/principal.js';
import { Device } from '../auth/device.decorator.js';
import type { DeviceInfo } from '../auth/sessions.service.js';
import { IdentityDto } from './dto/identity.dto.js';
import { IdentitiesService } from './identities.service.js';
import { IDENTITY_PROVIDERS, type IdentityProvider } from './identity.entity.js';
import { ApiErrors } from '../../common/errors/api-errors.decorator.js';

@ApiTags('users')
@Access()
@Controller('users/me/identities')
export class IdentitiesController {
  constructor(private readonly identities: IdentitiesService) {}

  @Get()
  @ApiOperation({
    summary: 'The outside accounts (Google, Kakao, Naver, Microsoft) you can sign in with',
  })
  @ApiOkResponse({ type: [IdentityDto] })
  list(@CurrentUser() user: UserPrincipal): Promise<IdentityDto[]> {
    return this.identities.list(user);
  }

  @Delete(':provider')
  @Access({ impersonation: 'refused' })
  @HttpCode(HttpStatus.NO_CONTENT)
  @Audited({ action: 'user.identity_unlinked', resource: 'user' })
  @ApiOperation({ summary: 'Unlink an outside account (refused if it is your only way in)' })
  @ApiParam({ name: 'provider', enum: IDENTITY_PROVIDERS })
  @ApiNoContentResponse()
  @ApiErrors('AUTH_IDENTITY_NOT_FOUND', 'AUTH_LAST_SIGN_IN_METHOD')
  async unlink(
    @CurrentUser() user: UserPrincipal,
    @Param('provider', new ParseEnumPipe(IDENTITY_PROVIDERS)) provider: IdentityProvider,
    @Device() device: DeviceInfo,
  ): Promise<void> {
    await this.identities.unlink(user, provider, device);
  }
}
