import { Controller, Get, Query, Redirect, Req, Res, type Type } from '@nestjs/common';
import { ApiFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentUser } from '../../../common/auth/current-user.decorator.js';
import { Access } from '../../../common/auth/access.decorator.js';
import type { UserPrincipal } from '../../../common/auth/principal.js';
import { ApiErrors } from '../../../common/errors/api-errors.decorator.js';
import { SignInRoute } from '../../../common/throttling/rate-limit.decorator.js';
import { Device } from '../../auth/device.decorator.js';
import type { DeviceInfo } from '../../auth/sessions.service.js';
import { AuthorizationUrlDto, OAuthStartQueryDto, SignInProviderDto } from '../dto/identity.dto.js';
import type { ProviderDefinition } from '../providers/provider-definition.js';
import { ProviderAuthService } from './provider-auth.service.js';
import { ProviderRegistry } from './provider-registry.js';

interface RedirectTo {
  url: string;
  statusCode: number;
}

@ApiTags('auth')
@Controller('auth/providers')
export class SignInProvidersController {
  constructor(private readonly auth: ProviderAuthService) {}

  @Access.public()
  @Get()
  @ApiOperation({
    summary: 'The sign-in providers enabled on this server, for a sign-in page',
    description:
      'Each entry starts at `GET /auth/{id}` (a page navigation). Providers without a client id configured are not listed.',
  })
  @ApiOkResponse({ type: [SignInProviderDto] })
  list(): SignInProviderDto[] {
    return this.auth.providers();
  }
}

/**
 * The routes of one provider, `/auth/<id>`, `/auth/<id>/callback` and `/auth/<id>/link`, made
 * from its definition: every provider has the same three, each documented under its own path.
 */
export function providerAuthController(definition: ProviderDefinition): Type<unknown> {
  const { id, displayName: name } = definition;
  const scopes = definition.scopes.join(' ');

  @ApiTags('auth')
  @Controller(`auth/${id}`)
  class ProviderAuthController {
    constructor(
      readonly auth: ProviderAuthService,
      readonly registry: ProviderRegistry,
    ) {}

    @Access.public()
    @Get()
    @Redirect()
    @SignInRoute()
    @ApiOperation({
      summary: `Sign in with ${name}: redirects the browser to ${name} (open this as a page)`,
      description: `Sets a short-lived HttpOnly state cookie and sends the browser to ${name} (${definition.pkce ? 'PKCE, ' : ''}scopes \`${scopes}\`). ${name} returns to \`/auth/${id}/callback\`, which lands on \`FRONTEND_URL/auth/callback?code=...\`; the web app swaps the code at \`POST /auth/oauth/exchange\`.`,
    })
    @ApiFoundResponse({ description: 'To the provider' })
    @ApiErrors('AUTH_REDIRECT_NOT_ALLOWED', 'AUTH_PROVIDER_DISABLED')
    async start(
      @Query() query: OAuthStartQueryDto,
      @Res({ passthrough: true }) reply: FastifyReply,
    ): Promise<RedirectTo> {
      const { location, cookie } = await this.auth.start(id, query.redirect);
      reply.header('set-cookie', cookie);
      return { url: location, statusCode: 302 };
    }

    @Access.public()
    @Get('callback')
    @Redirect()
    @SignInRoute()
    @ApiOperation({
      summary: `Where ${name} sends the browser back (not called by apps)`,
      description: `Always redirects to \`FRONTEND_URL/auth/callback\` with \`code\` (sign-in), \`linked=${id}\` (link), or \`error\` + \`error_description\` (also \`#error=\` in the fragment; an error code of this API: AUTH_OAUTH_DENIED, AUTH_OAUTH_STATE_INVALID, AUTH_OAUTH_TOKEN_EXCHANGE_FAILED, AUTH_OAUTH_PROFILE_UNREADABLE, AUTH_OAUTH_ID_TOKEN_INVALID, AUTH_OAUTH_PROVIDER_ERROR, AUTH_OAUTH_EMAIL_NOT_VERIFIED, AUTH_OAUTH_EMAIL_MISSING, AUTH_IDENTITY_IN_USE, AUTH_IDENTITY_ALREADY_LINKED, AUTH_ACCOUNT_LOCKED, or any other sign-in refusal), plus the \`redirect\` path asked for at the start. No token is ever put in a URL.`,
    })
    @ApiFoundResponse({ description: 'To the web app' })
    @ApiErrors('AUTH_PROVIDER_DISABLED')
    async callback(
      @Query() query: Record<string, unknown>,
      @Req() request: FastifyRequest,
      @Res({ passthrough: true }) reply: FastifyReply,
      @Device() device: DeviceInfo,
    ): Promise<RedirectTo> {
      const location = await this.auth.finish(id, query, request.headers.cookie, device);
      reply.header('set-cookie', this.registry.enabled(id).clearedCookie());
      return { url: location, statusCode: 302 };
    }

    @Get('link')
    @Access({ impersonation: 'refused' })
    @ApiOperation({
      summary: `Link a ${name} account to yours: the URL to send the browser to`,
      description: `Call with your access token (fetch with credentials, so the state cookie is kept), then navigate the browser to \`authorization_url\`. The callback lands on \`FRONTEND_URL/auth/callback?linked=${id}\`. The web app and the API must share a site for the cookie to stick.`,
    })
    @ApiOkResponse({ type: AuthorizationUrlDto })
    @ApiErrors('AUTH_REDIRECT_NOT_ALLOWED', 'AUTH_PROVIDER_DISABLED')
    async link(
      @CurrentUser() user: UserPrincipal,
      @Query() query: OAuthStartQueryDto,
      @Res({ passthrough: true }) reply: FastifyReply,
    ): Promise<AuthorizationUrlDto> {
      const { location, cookie } = await this.auth.startLink(id, user, query.redirect);
      reply.header('set-cookie', cookie);
      return { authorization_url: location };
    }
  }

  // Named per provider (GoogleAuthController...), as route tables and logs show it.
  const className = `${id.charAt(0).toUpperCase()}${id.slice(1)}AuthController`;
  Object.defineProperty(ProviderAuthController, 'name', { value: className });
  return ProviderAuthController;
}
