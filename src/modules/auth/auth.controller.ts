import { Body, Controller, HttpCode, HttpStatus, Post, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import {
  ApiAcceptedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Audited } from '../../common/audit/audited.decorator.js';
import { Access } from '../../common/auth/access.decorator.js';
import { CurrentUser } from '../../common/auth/current-user.decorator.js';
import type { UserPrincipal } from '../../common/auth/principal.js';
import { RateLimit, SignInRoute } from '../../common/throttling/rate-limit.decorator.js';
import { Device } from './device.decorator.js';
import {
  EmailDto,
  LoginDto,
  OAuthExchangeDto,
  OneTimeTokenDto,
  RefreshDto,
  RegisterDto,
  ResetPasswordDto,
  SwitchTenantDto,
} from './dto/auth-requests.dto.js';
import {
  LtiLaunchContextDto,
  OAuthExchangeResponseDto,
  TokenResponseDto,
} from './dto/token-response.dto.js';
import { EmailVerification } from './email-verification.service.js';
import { Logout } from './logout.service.js';
import { PasswordReset } from './passwords/password-reset.service.js';
import { Registration } from './registration.service.js';
import type { DeviceInfo } from './sessions.service.js';
import { ApiErrors } from '../../common/errors/api-errors.decorator.js';
import { OAuthHandoff } from './sign-in/oauth-handoff.service.js';
import { PasswordSignIn } from './sign-in/password-sign-in.service.js';
import type { SignedIn } from './sign-in/session-tokens.service.js';
import { TenantSwitch } from './tenant-switch.service.js';
import { TokenRefresh } from './token-refresh.service.js';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly registration: Registration,
    private readonly verification: EmailVerification,
    private readonly passwordSignIn: PasswordSignIn,
    private readonly oauthHandoff: OAuthHandoff,
    private readonly tokenRefresh: TokenRefresh,
    private readonly logouts: Logout,
    private readonly tenantSwitch: TenantSwitch,
    private readonly passwordReset: PasswordReset,
  ) {}

  @Access.public()
  @Post('register')
  @HttpCode(HttpStatus.ACCEPTED)
  @SignInRoute('register')
  @Audited({ action: 'auth.register', resource: 'user' })
  @ApiOperation({
    summary: 'Create an account (student-level; roles are granted by schools, never here)',
    description:
      'Always 202 with no body, whether or not the address already has an account, so the answer tells nobody which addresses are registered. A new account gets the verification mail; the owner of an existing one gets a notice that someone tried (sign in, or reset the password).',
  })
  @ApiAcceptedResponse({
    description: 'A verification mail (new address) or a notice to the owner (taken address)',
  })
  async register(@Body() dto: RegisterDto): Promise<void> {
    await this.registration.register(dto);
  }

  @Access.public()
  @Post('verify-email')
  @HttpCode(HttpStatus.NO_CONTENT)
  @Audited({ action: 'auth.verify_email', resource: 'user' })
  @ApiOperation({
    summary: 'Confirm an email address with the token from the mail (single use, 24 h)',
  })
  @ApiNoContentResponse({ description: 'Verified' })
  @ApiErrors('AUTH_ONE_TIME_TOKEN_INVALID')
  async verifyEmail(@Body() dto: OneTimeTokenDto): Promise<void> {
    await this.verification.verify(dto.token);
  }

  @Access.public()
  @Post('resend-verification')
  @HttpCode(HttpStatus.ACCEPTED)
  @RateLimit('account_email')
  @ApiOperation({ summary: 'Send the verification mail again (always 202)' })
  @ApiAcceptedResponse({ description: 'If the address has an unverified account, a mail is sent' })
  async resendVerification(@Body() dto: EmailDto): Promise<void> {
    await this.verification.resend(dto.email);
  }

  @Access.public()
  @Post('login')
  @HttpCode(HttpStatus.OK)
  @SignInRoute()
  @Audited({ action: 'auth.login', resource: 'session' })
  @ApiOperation({
    summary: 'Sign in with email and password',
    description:
      'Unknown email and wrong password answer the same. After MAX_LOGIN_ATTEMPTS failures in a row the identifier (email, or tenant + username) locks for LOCKOUT_MINUTES, whether or not it has an account (423 AUTH_ACCOUNT_LOCKED with `locked_until`). Failed attempts per client IP + identifier are limited (RATE_LIMIT_LOGIN_*, 429); successful ones are not.',
  })
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiErrors(
    'AUTH_INVALID_CREDENTIALS',
    'AUTH_ACCOUNT_DISABLED',
    'AUTH_EMAIL_NOT_VERIFIED',
    'AUTH_TENANT_INACTIVE',
    'AUTH_NOT_A_MEMBER',
    'AUTH_ACCOUNT_LOCKED',
  )
  async login(
    @Body() dto: LoginDto,
    @Device() device: DeviceInfo,
    @Req() request: FastifyRequest,
  ): Promise<TokenResponseDto> {
    return attributeTo(request, await this.passwordSignIn.signIn(dto, device));
  }

  @Access.public()
  @Post('oauth/exchange')
  @HttpCode(HttpStatus.OK)
  // No account budget: codes are unguessable, and a whole school may share one address.
  @SignInRoute()
  @Audited({ action: 'auth.login', resource: 'session' })
  @ApiOperation({
    summary: 'Swap the single-use code from a Google sign-in or an LTI launch for tokens',
    description:
      'The code arrives on `FRONTEND_URL/auth/callback?code=...` (Google) or `FRONTEND_URL/lti/launch?code=...` (a launch from an LMS); it works once, within 60 s. The answer is the same as a password sign-in, plus `lti_launch` (class, resource link, roles, presentation) after a launch.',
  })
  @ApiOkResponse({ type: OAuthExchangeResponseDto })
  @ApiErrors(
    'AUTH_OAUTH_CODE_INVALID',
    'AUTH_ACCOUNT_DISABLED',
    'AUTH_TENANT_INACTIVE',
    'AUTH_NOT_A_MEMBER',
  )
  async exchange(
    @Body() dto: OAuthExchangeDto,
    @Device() device: DeviceInfo,
    @Req() request: FastifyRequest,
  ): Promise<OAuthExchangeResponseDto> {
    const signedIn = await this.oauthHandoff.exchangeSignInCode(dto.code, device);
    const tokens = attributeTo(request, signedIn);
    return signedIn.ltiLaunch
      ? { ...tokens, lti_launch: signedIn.ltiLaunch as unknown as LtiLaunchContextDto }
      : tokens;
  }

  @Access.public()
  @Post('refresh')
  @HttpCode(HttpStatus.OK)
  @SignInRoute()
  @Audited({ action: 'auth.refresh', resource: 'session' })
  @ApiOperation({
    summary: 'Swap a refresh token for new tokens (the refresh token rotates)',
    description:
      'The same token sent again within 10 s returns the same new refresh token (parallel tabs). Any older token of the session is reuse: the session ends (AUTH_REFRESH_TOKEN_REUSED).',
  })
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiErrors('AUTH_REFRESH_TOKEN_INVALID', 'AUTH_REFRESH_TOKEN_REUSED', 'AUTH_TENANT_INACTIVE')
  async refresh(
    @Body() dto: RefreshDto,
    @Device() device: DeviceInfo,
    @Req() request: FastifyRequest,
  ): Promise<TokenResponseDto> {
    return attributeTo(request, await this.tokenRefresh.refresh(dto.refresh_token, device));
  }

  @Post('logout')
  @Access({ pendingPasswordChange: 'allowed' })
  @HttpCode(HttpStatus.NO_CONTENT)
  @Audited({ action: 'auth.logout', resource: 'session' })
  @ApiOperation({ summary: 'End this session; its tokens stop working' })
  @ApiNoContentResponse()
  async logout(@CurrentUser() user: UserPrincipal): Promise<void> {
    await this.logouts.logout(user);
  }

  @Post('logout-all')
  @Access({ pendingPasswordChange: 'allowed', impersonation: 'refused' })
  @HttpCode(HttpStatus.NO_CONTENT)
  @Audited({ action: 'auth.logout_all', resource: 'session' })
  @ApiOperation({ summary: 'End every session of this account, on every device' })
  @ApiNoContentResponse()
  async logoutAll(@CurrentUser() user: UserPrincipal, @Device() device: DeviceInfo): Promise<void> {
    await this.logouts.logoutAll(user, device);
  }

  @Post('switch-tenant')
  @Access({ impersonation: 'refused' })
  @HttpCode(HttpStatus.OK)
  @Audited({ action: 'auth.switch_tenant', resource: 'session' })
  @ApiOperation({ summary: 'Re-scope this session to another school you belong to' })
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiErrors('AUTH_NOT_A_MEMBER', 'AUTH_TENANT_INACTIVE')
  switchTenant(
    @CurrentUser() user: UserPrincipal,
    @Body() dto: SwitchTenantDto,
  ): Promise<TokenResponseDto> {
    return this.tenantSwitch.switchTenant(user, dto.tenant_id);
  }

  @Access.public()
  @Post('forgot-password')
  @HttpCode(HttpStatus.ACCEPTED)
  @RateLimit('account_email')
  @Audited({ action: 'auth.forgot_password', resource: 'user' })
  @ApiOperation({ summary: 'Mail a password reset link (always 202; the link works once, 30 min)' })
  @ApiAcceptedResponse()
  async forgotPassword(@Body() dto: EmailDto): Promise<void> {
    await this.passwordReset.request(dto.email);
  }

  @Access.public()
  @Post('reset-password')
  @HttpCode(HttpStatus.NO_CONTENT)
  @Audited({ action: 'auth.reset_password', resource: 'user' })
  @ApiOperation({
    summary: 'Set a new password with the mailed token; ends every session and clears a lockout',
  })
  @ApiNoContentResponse()
  @ApiErrors('AUTH_ONE_TIME_TOKEN_INVALID')
  async resetPassword(@Body() dto: ResetPasswordDto, @Device() device: DeviceInfo): Promise<void> {
    await this.passwordReset.reset(dto.token, dto.new_password, device);
  }
}

/** The audit record of a sign-in names who signed in, and the tenant they signed in to. */
function attributeTo(request: FastifyRequest, signedIn: SignedIn): TokenResponseDto {
  request.principal = signedIn.principal;
  return signedIn.tokens;
}
