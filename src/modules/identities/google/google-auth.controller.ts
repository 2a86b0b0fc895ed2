import { Controller, Get, Query, Redirect, Req, Res } from '@nestjs/common';
import { ApiFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentUser } from '../../../common/auth/current-user.decorator.js';
import { Access } from '../../../common/auth/access.decorator.js';
import type { UserPrincipal } from '../../../common/auth/principal.js';
import { SignInRoute } from '../../../common/throttling/rate-limit.decorator.js';
import { Device } from '../../auth/device.decorator.js';
import type { DeviceInfo } from '../../auth/sessions.service.js';
import { AuthorizationUrlDto, OAuthStartQueryDto } from '../dto/identity.dto.js';
import { GoogleAuthService } from './google-auth.service.js';
import { GoogleOAuth } from './google-oauth.js';
import { ApiErrors } from '../../../common/errors/api-errors.decorator.js';

interface RedirectTo {
  url: string;
  statusCode: number;
}

@ApiTags('auth')
@Controller('auth/google')
export class GoogleAuthController {
  constructor(
    private readonly google: GoogleAuthService,
    private readonly oauth: GoogleOAuth,
  ) {}

  @Access.public()
  @Get()
  @Redirect()
  @SignInRoute()
  @ApiOperation({
    summary: 'Sign in with Google: redirects the browser to Google (open this as a page)',
    description:
      'Sets a short-lived HttpOnly state cookie and sends the browser to Google (PKCE, scopes `openid email profile`). Google returns to `/auth/google/callback`, which lands on `FRONTEND_URL/auth/callback?code=...`; the web app swaps the code at `POST /auth/oauth/exchange`.',
  })
  @ApiFoundResponse({ description: 'To the provider' })
  @ApiErrors('AUTH_REDIRECT_NOT_ALLOWED', 'AUTH_PROVIDER_DISABLED')
  async start(
    @Query() query: OAuthStartQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<RedirectTo> {
    const { location, cookie } = await this.google.start(query.redirect);
    reply.header('set-cookie', cookie);
    return { url: location, statusCode: 302 };
  }

  @Access.public()
  @Get('callback')
  @Redirect()
  @SignInRoute()
  @ApiOperation({
    summary: 'Where Google sends the browser back (not called by apps)',
    description:
      'Always redirects to `FRONTEND_URL/auth/callback` with `code` (sign-in), `linked=google` (link), or `error` + `error_description` (an error code of this API: AUTH_OAUTH_DENIED, AUTH_OAUTH_STATE_INVALID, AUTH_OAUTH_PROVIDER_ERROR, AUTH_OAUTH_EMAIL_NOT_VERIFIED, AUTH_OAUTH_EMAIL_MISSING, AUTH_IDENTITY_IN_USE, AUTH_IDENTITY_ALREADY_LINKED, AUTH_ACCOUNT_LOCKED, or any other sign-in refusal), plus the `redirect` path asked for at the start. No token is ever put in a URL.',
  })
  @ApiFoundResponse({ description: 'To the web app' })
  @ApiErrors('AUTH_PROVIDER_DISABLED')
  async callback(
    @Query() query: Record<string, unknown>,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Device() device: DeviceInfo,
  ): Promise<RedirectTo> {
    const location = await this.google.finish(query, request.headers.cookie, device);
    reply.header('set-cookie', this.oauth.clearedCookie());
    return { url: location, statusCode: 302 };
  }

  @Get('link')
  @Access({ impersonation: 'refused' })
  @ApiOperation({
    summary: 'Link a Google account to yours: the URL to send the browser to',
    description:
      'Call with your access token (fetch with credentials, so the state cookie is kept), then navigate the browser to `authorization_url`. The callback lands on `FRONTEND_URL/auth/callback?linked=google`. The web app and the API must share a site for the cookie to stick.',
  })
  @ApiOkResponse({ type: AuthorizationUrlDto })
  @ApiErrors('AUTH_REDIRECT_NOT_ALLOWED', 'AUTH_PROVIDER_DISABLED')
  async link(
    @CurrentUser() user: UserPrincipal,
    @Query() query: OAuthStartQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AuthorizationUrlDto> {
    const { location, cookie } = await this.google.startLink(user, query.redirect);
    reply.header('set-cookie', cookie);
    return { authorization_url: location };
  }
}
