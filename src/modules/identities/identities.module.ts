import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from '../auth/auth.module.js';
import { TenantsModule } from '../tenants/tenants.module.js';
import { UsersModule } from '../users/users.module.js';
import { GoogleAuthController } from './google/google-auth.controller.js';
import { GoogleAuthService } from './google/google-auth.service.js';
import { GoogleOAuth } from './google/google-oauth.js';
import { GoogleSignIn } from './google/google-sign-in.service.js';
import { IdentitiesController } from './identities.controller.js';
import { IdentitiesRepository } from './identities.repository.js';
import { IdentitiesService } from './identities.service.js';
import { Identity } from './identity.entity.js';
import { registerErrorCodes } from '../../common/errors/error-codes.js';
import { IDENTITY_ERROR_CODES } from './identities.errors.js';

registerErrorCodes(IDENTITY_ERROR_CODES);

/** Outside accounts people sign in with (Google today), and the flows that link them. */
@Module({
  imports: [TypeOrmModule.forFeature([Identity]), AuthModule, UsersModule, TenantsModule],
  controllers: [GoogleAuthController, IdentitiesController],
  providers: [
    IdentitiesRepository,
    IdentitiesService,
    GoogleOAuth,
    GoogleSignIn,
    GoogleAuthService,
  ],
})
export class IdentitiesModule {}
