import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Audited } from '../../../common/audit/audited.decorator.js';
import { Access } from '../../../common/auth/access.decorator.js';
import { CurrentUser } from '../../../common/auth/current-user.decorator.js';
import type { UserPrincipal } from '../../../common/auth/principal.js';
import { ApiErrors } from '../../../common/errors/api-errors.decorator.js';
import { LinkedIdentityDto, LinkIdentityDto } from './dto/identity-link.dto.js';
import { IdentityLink } from './identity-link.service.js';

@ApiTags('lti')
@Controller('lti/identities')
export class IdentityLinkController {
  constructor(private readonly identityLink: IdentityLink) {}

  @Post('link')
  @HttpCode(HttpStatus.OK)
  @Access({ impersonation: 'refused' })
  @Audited({ action: 'lti.identity_linked', resource: 'lti_identity' })
  @ApiOperation({
    summary: 'Move your LMS identity to this account (signed in to your own account)',
    description:
      'After a launch made an account only the LMS signs in to, its code exchange carries `lti_launch.link_code` (10 min). Sign in to the account you already have and send the code here: later launches from that LMS land in this account, which joins the LMS’s school.',
  })
  @ApiOkResponse({ type: LinkedIdentityDto })
  @ApiErrors('LTI_LINK_CODE_INVALID')
  link(
    @CurrentUser() user: UserPrincipal,
    @Body() dto: LinkIdentityDto,
  ): Promise<LinkedIdentityDto> {
    return this.identityLink.link(user, dto.link_code);
  }
}
