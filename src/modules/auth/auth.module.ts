import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MailModule } from '../../common/mail/mail.module.js';
import { QueueModule } from '../../common/queue/queue.module.js';
import { FailureBudget } from '../../common/throttling/failure-budget.js';
import { ApiKeysModule } from '../api-keys/api-keys.module.js';
import { MarketKeysModule } from '../market-keys/market-keys.module.js';
import { TenantsModule } from '../tenants/tenants.module.js';
import { UsersModule } from '../users/users.module.js';
import { AccountController } from './account.controller.js';
import { AccountLinks } from './account-links.service.js';
import { AccountMails } from './account-mails.js';
import { AccountMailsProcessor } from './account-mails.processor.js';
import { AuthController } from './auth.controller.js';
import { AuthMetrics } from './auth.metrics.js';
import { AccessGuard } from './guards/access.guard.js';
import { JwtStrategy } from './guards/jwt.strategy.js';
import { VerifiedTokens } from './guards/verified-tokens.js';
import { EmailVerification } from './email-verification.service.js';
import { ImpersonationController } from './impersonation.controller.js';
import { ImpersonationService } from './impersonation.service.js';
import { JwksController } from './jwks.controller.js';
import { LoginFailure } from './login-failure.entity.js';
import { LoginFailuresRepository } from './login-failures.repository.js';
import { LoginHistory } from './login-history.entity.js';
import { LoginHistoryRepository } from './login-history.repository.js';
import { Logout } from './logout.service.js';
import { MySessionsService } from './my-sessions.service.js';
import { OneTimeToken } from './one-time-token.entity.js';
import { OneTimeTokensRepository } from './one-time-tokens.repository.js';
import { PasswordHasher } from './password-hasher.js';
import { PasswordChange } from './passwords/password-change.service.js';
import { PasswordChanges } from './passwords/password-changes.js';
import { PasswordReset } from './passwords/password-reset.service.js';
import { WelcomeMail } from './passwords/welcome-mail.service.js';
import { Registration } from './registration.service.js';
import { SecurityEvents } from './security-events.js';
import { Session } from './session.entity.js';
import { SessionState } from './session-state.service.js';
import { SessionsRepository } from './sessions.repository.js';
import { SessionsService } from './sessions.service.js';
import { Lockouts } from './sign-in/lockouts.service.js';
import { OAuthHandoff } from './sign-in/oauth-handoff.service.js';
import { PasswordSignIn } from './sign-in/password-sign-in.service.js';
import { SessionOpener } from './sign-in/session-opener.service.js';
import { SessionTokens } from './sign-in/session-tokens.service.js';
import { SignInFailures } from './sign-in/sign-in-failures.service.js';
import { SuperAdminBootstrap } from './super-admin.bootstrap.js';
import { TenantSwitch } from './tenant-switch.service.js';
import { TokenRefresh } from './token-refresh.service.js';
import { AccessTokens } from './tokens/access-tokens.service.js';
import { SigningKeys } from './tokens/signing-keys.service.js';
import { registerErrorCodes } from '../../common/errors/error-codes.js';
import { AUTH_ERROR_CODES } from './auth.errors.js';

registerErrorCodes(AUTH_ERROR_CODES);

/**
 * Sign-in, tokens, sessions and the global access guard (registered here so it runs before
 * the rate limiter: see AppModule's import order).
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([Session, LoginHistory, LoginFailure, OneTimeToken]),
    UsersModule,
    MailModule,
    QueueModule,
    ApiKeysModule,
    MarketKeysModule,
    TenantsModule,
  ],
  controllers: [AuthController, AccountController, JwksController, ImpersonationController],
  providers: [
    { provide: APP_GUARD, useClass: AccessGuard },
    JwtStrategy,
    VerifiedTokens,
    SigningKeys,
    AccessTokens,
    PasswordHasher,
    SessionsRepository,
    SessionState,
    SessionsService,
    MySessionsService,
    OneTimeTokensRepository,
    LoginHistoryRepository,
    LoginFailuresRepository,
    FailureBudget,
    AccountMails,
    AccountMailsProcessor,
    AuthMetrics,
    SecurityEvents,
    AccountLinks,
    Registration,
    EmailVerification,
    SessionTokens,
    SessionOpener,
    SignInFailures,
    Lockouts,
    PasswordSignIn,
    OAuthHandoff,
    TokenRefresh,
    TenantSwitch,
    Logout,
    PasswordChanges,
    PasswordReset,
    PasswordChange,
    WelcomeMail,
    SuperAdminBootstrap,
    ImpersonationService,
  ],
  exports: [
    SessionsService,
    PasswordHasher,
    SuperAdminBootstrap,
    SigningKeys,
    AccountMails,
    OAuthHandoff,
    WelcomeMail,
    SecurityEvents,
  ],
})
export class AuthModule {}
