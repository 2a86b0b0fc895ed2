import { Controller, Get, Query, Req, Res, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Access } from '../../../common/auth/access.decorator.js';
import { ApiErrors } from '../../../common/errors/api-errors.decorator.js';
import { AppException } from '../../../common/errors/app.exception.js';
import { SignInRoute } from '../../../common/throttling/rate-limit.decorator.js';
import { messagePage, registrationDonePage, sendLtiPage } from '../launch/lti-pages.js';
import { DynamicRegistration } from './dynamic-registration.service.js';

@ApiTags('lti')
@Controller({ path: 'lti', version: VERSION_NEUTRAL })
export class DynamicRegistrationController {
  constructor(private readonly registration: DynamicRegistration) {}

  @Access.public()
  @Get('register')
  @SignInRoute()
  @ApiErrors(
    'LTI_REGISTRATION_LINK_INVALID',
    'LTI_REGISTRATION_REQUEST_INVALID',
    'LTI_REGISTRATION_CONFIG_INVALID',
    'LTI_REGISTRATION_REFUSED_BY_PLATFORM',
    'LTI_REGISTRATION_EXISTS',
    'COMMON_INVALID_CHARACTERS',
  )
  @ApiOperation({
    summary: 'LTI Dynamic Registration (opened by the LMS with a school’s registration link)',
    description:
      'The LMS adds `openid_configuration` and `registration_token` to the link from `POST /api/v1/lti/registration-links`. The tool reads the configuration, registers itself at the LMS, and keeps the new client awaiting the school admin’s approval; the page then asks the LMS to close it (`org.imsglobal.lti.close`).',
  })
  async register(
    @Query() query: Record<string, unknown>,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    try {
      await this.registration.register(query);
      sendLtiPage(
        reply,
        200,
        registrationDonePage(
          'Your DreamSeed school admin now approves this LMS in DreamSeed; launches work after that.',
        ),
      );
    } catch (error) {
      if (!(error instanceof AppException)) {
        throw error;
      }
      void reply.header('x-error-code', error.code);
      sendLtiPage(
        reply,
        error.status,
        messagePage({
          title: 'DreamSeed could not be registered',
          message: error.message,
          code: error.code,
          requestId: String(request.id),
        }),
      );
    }
  }
}
