import { Body, Controller, HttpCode, HttpStatus, Param, Post, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Audited } from '../../../common/audit/audited.decorator.js';
import { Access } from '../../../common/auth/access.decorator.js';
import { CurrentUser } from '../../../common/auth/current-user.decorator.js';
import type { UserPrincipal } from '../../../common/auth/principal.js';
import { ApiErrors } from '../../../common/errors/api-errors.decorator.js';
import { UuidPipe } from '../../../common/validation/uuid.pipe.js';
import { DEEP_LINK_PAGE_HEADERS } from '../launch/lti-pages.js';
import { DeepLinking } from './deep-linking.service.js';
import { DeepLinkingResponseDto } from './dto/deep-linking-response.dto.js';

@ApiTags('lti')
@Controller('lti/deep-linking')
export class DeepLinkingController {
  constructor(private readonly deepLinking: DeepLinking) {}

  @Post(':launchId/response')
  @HttpCode(HttpStatus.OK)
  @Access({ impersonation: 'refused' })
  @Audited({ action: 'lti.deep_linking.response', resource: 'lti_launch', idParam: 'launchId' })
  @ApiOperation({
    summary: 'Send the content a teacher chose back to the LMS (LTI Deep Linking 2.0)',
    description:
      "For the launch's own teacher or admin (`lti_launch.deep_linking.response_url` of a deep-linking launch), once, within an hour of the launch. Items are checked against what the LMS accepts (`accept_types`, `accept_multiple`, `accept_presentation_document_targets`, `accept_lineitem`); every `ltiResourceLink` gets the custom parameter `dreamseed_item_id`, by which its later launches find it (`lti_launch.content`). The answer is an HTML page (`text/html`, for the LMS's frame or window) whose form posts the signed `LtiDeepLinkingResponse` JWT, field `JWT`, to the LMS's `deep_link_return_url` by itself; show it as the page (e.g. `document.open(); document.write(html)` or navigate a frame to it). `cancel: true` sends an empty list with `message`/`error_message`. Refusals are the JSON error envelope.",
  })
  @ApiProduces('text/html')
  @ApiOkResponse({
    description: 'The page that posts the signed response to the LMS',
    content: { 'text/html': { schema: { type: 'string' } } },
  })
  @ApiErrors(
    'LTI_DEEP_LINKING_LAUNCH_NOT_FOUND',
    'LTI_DEEP_LINKING_NOT_INSTRUCTOR',
    'LTI_DEEP_LINKING_EXPIRED',
    'LTI_DEEP_LINKING_ANSWERED',
    'LTI_DEEP_LINKING_CHOICE_MISSING',
    'LTI_DEEP_LINKING_ITEM_NOT_ACCEPTED',
  )
  async respond(
    @CurrentUser() user: UserPrincipal,
    @Param('launchId', UuidPipe) launchId: string,
    @Body() dto: DeepLinkingResponseDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const answer = await this.deepLinking.respond(user, launchId, dto);
    // Shown inside the LMS's frame: the API's frame-ancestors 'none' does not apply.
    void reply.removeHeader('x-frame-options');
    void reply.headers(DEEP_LINK_PAGE_HEADERS);
    return answer.html;
  }
}
