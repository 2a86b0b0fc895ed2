import {
  Body,
  Controller,
  Get,
  Header,
  Post,
  Query,
  Req,
  Res,
  VERSION_NEUTRAL,
} from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Access } from '../../../common/auth/access.decorator.js';
import { NotAudited } from '../../../common/audit/audited.decorator.js';
import { ApiErrors } from '../../../common/errors/api-errors.decorator.js';
import { AppException } from '../../../common/errors/app.exception.js';
import { SignInRoute } from '../../../common/throttling/rate-limit.decorator.js';
import { Device } from '../../auth/device.decorator.js';
import type { DeviceInfo } from '../../auth/sessions.service.js';
import { LTI_LAUNCH_ERROR_CODES, type LtiLaunchErrorCode } from '../lti.errors.js';
import { LtiLaunches } from './lti-launches.service.js';
import { LtiLogin } from './lti-login.service.js';
import { messagePage, sendLtiPage, STORAGE_SCRIPT } from './lti-pages.js';

/** Every refusal of a launch; the page names it, and X-Error-Code carries it. */
const LAUNCH_REFUSALS = (Object.keys(LTI_LAUNCH_ERROR_CODES) as LtiLaunchErrorCode[]).filter(
  (code) =>
    !code.startsWith('LTI_REGISTRATION_') &&
    code !== 'LTI_LOGIN_INVALID' &&
    code !== 'LTI_UNKNOWN_ISSUER',
);

/**
 * The browser's side of an LTI 1.3 launch. Every answer is a page or a redirect for a person
 * inside their LMS, so refusals are pages too (the code is shown and kept in the log).
 */
@ApiTags('lti')
@Controller({ path: 'lti', version: VERSION_NEUTRAL })
export class LtiLaunchController {
  constructor(
    private readonly login: LtiLogin,
    private readonly launches: LtiLaunches,
  ) {}

  @Access.public()
  @Get('login')
  @SignInRoute()
  @ApiErrors(
    'LTI_LOGIN_INVALID',
    'LTI_UNKNOWN_ISSUER',
    'LTI_PLATFORM_NOT_ACTIVE',
    'LTI_TARGET_LINK_NOT_ALLOWED',
    'COMMON_INVALID_CHARACTERS',
  )
  @ApiOperation({
    summary: 'LTI 1.3 login initiation (opened by the LMS, GET or POST)',
    description:
      'Parameters `iss`, `login_hint`, `target_link_uri` (on this server), and `client_id`, `lti_message_hint`, `lti_deployment_id`, `lti_storage_target` when the LMS sends them. Redirects to the LMS with a fresh state and nonce, or answers a page that keeps the state in platform storage first.',
  })
  async loginByGet(
    @Query() query: Record<string, unknown>,
    @Res() reply: FastifyReply,
    @Device() device: DeviceInfo,
  ): Promise<void> {
    await this.startLogin(query, reply, device);
  }

  @Access.public()
  @Post('login')
  @NotAudited()
  @SignInRoute()
  @ApiExcludeEndpoint()
  async loginByPost(
    @Body() body: Record<string, unknown> | undefined,
    @Res() reply: FastifyReply,
    @Device() device: DeviceInfo,
  ): Promise<void> {
    await this.startLogin(body ?? {}, reply, device);
  }

  @Access.public()
  @Post('launch')
  @NotAudited()
  @SignInRoute()
  @ApiErrors(...LAUNCH_REFUSALS, 'COMMON_INVALID_CHARACTERS')
  @ApiOperation({
    summary: 'LTI 1.3 launch (the LMS posts the id_token here, form_post)',
    description:
      'Checks the launch (state, signature, issuer, audience, times, nonce, deployment, version, message type, claims), then sends the browser to `FRONTEND_URL/lti/launch?code=...`; swap the code at `POST /api/v1/auth/oauth/exchange`. Every answer is for a person inside their LMS: a refusal is an HTML page naming its error code, which the `X-Error-Code` header carries too.',
  })
  async launch(
    @Body() body: Record<string, unknown> | undefined,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Device() device: DeviceInfo,
  ): Promise<void> {
    try {
      const answer = await this.launches.finish(
        body ?? {},
        parseCookies(request.headers.cookie),
        device,
      );
      if (answer.kind === 'page') {
        sendLtiPage(reply, 200, answer.html);
        return;
      }
      void reply.header('set-cookie', answer.clearCookie).redirect(answer.location, 302);
    } catch (error) {
      this.refusalPage(error, request, reply);
    }
  }

  @Access.public()
  @Get('storage.js')
  @Header('content-type', 'text/javascript; charset=utf-8')
  @Header('cache-control', 'public, max-age=300')
  @ApiOkResponse({ description: 'The platform-storage script of the launch pages' })
  @ApiOperation({ summary: 'The script the LTI launch pages run (1EdTech platform storage)' })
  storageScript(): string {
    return STORAGE_SCRIPT;
  }

  private async startLogin(
    params: Record<string, unknown>,
    reply: FastifyReply,
    device: DeviceInfo,
  ): Promise<void> {
    try {
      const answer = await this.login.start(params);
      void reply.header('set-cookie', answer.cookie);
      if (answer.kind === 'redirect') {
        void reply.redirect(answer.location, 302);
        return;
      }
      sendLtiPage(reply, 200, answer.html);
    } catch (error) {
      if (error instanceof AppException) {
        await this.launches.recordLoginRefusal(error, params, device);
      }
      this.refusalPage(error, reply.request, reply);
    }
  }

  private refusalPage(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
    if (!(error instanceof AppException)) {
      throw error;
    }
    const details = error.details as { new_window_url?: unknown; claim?: unknown } | null;
    const newWindowUrl = details?.new_window_url;
    void reply.header('x-error-code', error.code);
    sendLtiPage(
      reply,
      error.status,
      messagePage({
        title: 'DreamSeed could not open here',
        // The claim missing is named, so an LMS admin can see what to turn on.
        message:
          typeof details?.claim === 'string'
            ? `The launch lacks a required claim: ${details.claim}`
            : error.message,
        code: error.code,
        requestId: String(request.id),
        newWindowUrl: typeof newWindowUrl === 'string' ? newWindowUrl : undefined,
      }),
    );
  }
}

function parseCookies(header: string | undefined): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0) {
      cookies[part.slice(0, at).trim()] = part.slice(at + 1).trim();
    }
  }
  return cookies;
}
