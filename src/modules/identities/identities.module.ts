import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { registerErrorCodes } from '../../common/errors/error-codes.js';
import { AuthModule } from '../auth/auth.module.js';
import { TenantsModule } from '../tenants/tenants.module.js';
import { UsersModule } from '../users/users.module.js';
import { IdentitiesController } from './identities.controller.js';
import { IDENTITY_ERROR_CODES } from './identities.errors.js';
import { IdentitiesRepository } from './identities.repository.js';
import { IdentitiesService } from './identities.service.js';
import { Identity } from './identity.entity.js';
import { PROVIDER_DEFINITIONS } from './providers/index.js';
import {
  providerAuthController,
  SignInProvidersController,
} from './sign-in/provider-auth.controller.js';
import { ProviderAuthService } from './sign-in/provider-auth.service.js';
import { ProviderRegistry } from './sign-in/provider-registry.js';
import { ProviderSignIn } from './sign-in/provider-sign-in.service.js';

registerErrorCodes(IDENTITY_ERROR_CODES);

/**
 * Outside accounts people sign in with (Google, Kakao, Naver, Microsoft: one definition file
 * each in providers/), and the flows that link them.
 */
@Module({
  imports: [TypeOrmModule.forFeature([Identity]), AuthModule, UsersModule, TenantsModule],
  controllers: [
    // Before the providers' `auth/:id` routes, though static paths win anyway.
    SignInProvidersController,
    ...PROVIDER_DEFINITIONS.map(providerAuthController),
    IdentitiesController,
  ],
  providers: [
    IdentitiesRepository,
    IdentitiesService,
    ProviderRegistry,
    ProviderSignIn,
    ProviderAuthService,
  ],
})
export class IdentitiesModule {}
