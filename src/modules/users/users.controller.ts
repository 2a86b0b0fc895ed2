import { Body, Controller, Get, Patch } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Audited } from '../../common/audit/audited.decorator.js';
import { Access } from '../../common/auth/access.decorator.js';
import { CurrentUser } from '../../common/auth/current-user.decorator.js';
import type { UserPrincipal } from '../../common/auth/principal.js';
import { UpdateProfileDto } from './dto/update-profile.dto.js';
import { UserProfileDto } from './dto/user.dto.js';
import { ApiErrors } from '../../common/errors/api-errors.decorator.js';
import { Profiles } from './profiles.service.js';

@ApiTags('users')
@Access()
@Controller('users/me')
export class ProfileController {
  constructor(private readonly profiles: Profiles) {}

  @Get()
  @Access({ pendingPasswordChange: 'allowed' })
  @ApiOperation({ summary: 'The signed-in user, with their memberships' })
  @ApiOkResponse({ type: UserProfileDto })
  @ApiErrors('USER_NOT_FOUND')
  get(@CurrentUser() user: UserPrincipal): Promise<UserProfileDto> {
    return this.profiles.getProfile(user.userId);
  }

  @Patch()
  @Audited({ action: 'user.profile_updated', resource: 'user' })
  @ApiOperation({
    summary: 'Change your own profile fields',
    description:
      'Only full_name, username, phone, grade_level, profile_image_url and preferences; role, tenant, email and flags are refused with 400.',
  })
  @ApiOkResponse({ type: UserProfileDto })
  @ApiErrors('USER_NOT_FOUND')
  update(
    @CurrentUser() user: UserPrincipal,
    @Body() dto: UpdateProfileDto,
  ): Promise<UserProfileDto> {
    return this.profiles.updateProfile(user.userId, dto);
  }
}
