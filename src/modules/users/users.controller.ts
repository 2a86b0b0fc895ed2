import { Body, Controller, Get, Patch } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Audited } from '../../common/audit/audited.decorator.js';
import { AllowPendingPasswordChange } from '../../common/auth/pending-password-change.decorator.js';
import { CurrentUser } from '../../common/auth/current-user.decorator.js';
import type { UserPrincipal } from '../../common/auth/principal.js';
import { UpdateProfileDto } from './dto/update-profile.dto.js';
import { UserProfileDto } from './dto/user.dto.js';
import { Profiles } from './profiles.service.js';

@ApiTags('users')
@ApiBearerAuth('bearer')
@Controller('users/me')
export class ProfileController {
  constructor(private readonly profiles: Profiles) {}

  @Get()
  @AllowPendingPasswordChange()
  @ApiOperation({ summary: 'The signed-in user, with their memberships' })
  @ApiOkResponse({ type: UserProfileDto })
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
  update(
    @CurrentUser() user: UserPrincipal,
    @Body() dto: UpdateProfileDto,
  ): Promise<UserProfileDto> {
    return this.profiles.updateProfile(user.userId, dto);
  }
}
