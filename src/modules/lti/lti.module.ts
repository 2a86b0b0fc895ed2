import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { registerErrorCodes } from '../../common/errors/error-codes.js';
import { QueueModule } from '../../common/queue/queue.module.js';
import { AppConfigService } from '../../config/app-config.service.js';
import { AuthModule } from '../auth/auth.module.js';
import { ClassesModule } from '../classes/classes.module.js';
import { LicensesModule } from '../licenses/licenses.module.js';
import { TenantsModule } from '../tenants/tenants.module.js';
import { UsersModule } from '../users/users.module.js';
import { DeepLinkingController } from './deep-linking/deep-linking.controller.js';
import { LTI_DEEP_LINKING_ERROR_CODES } from './deep-linking/deep-linking.errors.js';
import { DeepLinkingRepository } from './deep-linking/deep-linking.repository.js';
import { DeepLinking } from './deep-linking/deep-linking.service.js';
import { LTI_ENTITIES } from './entities/index.js';
import { LtiLaunchController } from './launch/lti-launch.controller.js';
import { LtiLaunchRepository } from './launch/lti-launch.repository.js';
import { LtiLaunches } from './launch/lti-launches.service.js';
import { LtiLogin } from './launch/lti-login.service.js';
import { LtiProvisioning } from './launch/lti-provisioning.service.js';
import { PlatformKeySets } from './launch/platform-key-sets.service.js';
import { LtiJwksController } from './keys/lti-jwks.controller.js';
import { LtiKeyEncryption } from './keys/lti-key-encryption.js';
import { LTI_KEY_ERROR_CODES } from './keys/lti-keys.errors.js';
import { LtiToolKeysRepository } from './keys/lti-tool-keys.repository.js';
import { LtiToolKeys } from './keys/lti-tool-keys.service.js';
import { LTI_LAUNCH_ERROR_CODES } from './lti.errors.js';
import { IdentityLinkController } from './linking/identity-link.controller.js';
import { IdentityLink } from './linking/identity-link.service.js';
import {
  LtiPlatformsController,
  LtiToolConfigurationController,
} from './platforms/lti-platforms.controller.js';
import { LTI_PLATFORM_ERROR_CODES } from './platforms/lti-platforms.errors.js';
import { LtiPlatformsRepository } from './platforms/lti-platforms.repository.js';
import { LtiPlatformsService } from './platforms/lti-platforms.service.js';
import { ToolConfiguration } from './platforms/tool-configuration.service.js';
import { DynamicRegistrationController } from './registration/dynamic-registration.controller.js';
import { DynamicRegistrationRepository } from './registration/dynamic-registration.repository.js';
import { DynamicRegistration } from './registration/dynamic-registration.service.js';
import { LtiGradesController } from './grades/lti-grades.controller.js';
import { LtiGradesRepository } from './grades/lti-grades.repository.js';
import { LtiLineItems } from './grades/lti-line-items.service.js';
import { LtiScorePublisher } from './grades/lti-score-publisher.service.js';
import { LtiScores } from './grades/lti-scores.service.js';
import { LtiJobs } from './lti-jobs.js';
import { LtiJobsProcessor } from './lti-jobs.processor.js';
import { LtiRosterSync } from './roster/lti-roster-sync.service.js';
import { LtiRosterController } from './roster/lti-roster.controller.js';
import { LtiRosterRepository } from './roster/lti-roster.repository.js';
import { LtiRoster } from './roster/lti-roster.service.js';
import { LtiCourseAccess } from './services/lti-course-access.js';
import { LtiServiceClient } from './services/lti-service-client.js';
import { LtiServiceHttp } from './services/lti-service-http.js';
import { LtiServiceTokens } from './services/lti-service-tokens.service.js';
import { LTI_SERVICE_ERROR_CODES } from './services/lti-services.errors.js';
import { LtiServicesRepository } from './services/lti-services.repository.js';

registerErrorCodes(LTI_LAUNCH_ERROR_CODES);
registerErrorCodes(LTI_KEY_ERROR_CODES);
registerErrorCodes(LTI_PLATFORM_ERROR_CODES);
registerErrorCodes(LTI_SERVICE_ERROR_CODES);

registerErrorCodes(LTI_DEEP_LINKING_ERROR_CODES);

/**
 * The LTI 1.3 tool: registrations of school LMSs (/api/v1/lti/...), the tool's keys
 * (/lti/jwks), login initiation and launch (/lti/login, /lti/launch), Dynamic Registration
 * (/lti/register), and LTI Advantage: Deep Linking 2.0 answers (/api/v1/lti/deep-linking/...),
 * roster sync (NRPS) and grades (AGS) of the classes made from LMS courses
 * (/api/v1/lti/contexts/:classId/...).
 */
@Module({
  imports: [
    TypeOrmModule.forFeature(LTI_ENTITIES),
    AuthModule,
    UsersModule,
    ClassesModule,
    TenantsModule,
    LicensesModule,
    QueueModule,
  ],
  controllers: [
    LtiJwksController,
    // controllers
    IdentityLinkController,
    LtiPlatformsController,
    LtiToolConfigurationController,
    LtiLaunchController,
    DynamicRegistrationController,
    LtiRosterController,
    LtiGradesController,
    DeepLinkingController,
  ],
  providers: [
    {
      provide: LtiKeyEncryption,
      inject: [AppConfigService],
      useFactory: (config: AppConfigService) => LtiKeyEncryption.fromConfig(config),
    },
    LtiToolKeysRepository,
    LtiToolKeys,
    // providers
    IdentityLink,
    LtiPlatformsRepository,
    LtiPlatformsService,
    ToolConfiguration,
    LtiLaunchRepository,
    LtiLogin,
    LtiLaunches,
    LtiProvisioning,
    PlatformKeySets,
    DynamicRegistrationRepository,
    DynamicRegistration,
    // LTI Advantage: service tokens and calls, roster (NRPS), grades (AGS), the lti queue
    LtiServicesRepository,
    LtiServiceHttp,
    LtiServiceTokens,
    LtiServiceClient,
    LtiCourseAccess,
    LtiRosterRepository,
    LtiRoster,
    LtiRosterSync,
    LtiGradesRepository,
    LtiLineItems,
    LtiScores,
    LtiScorePublisher,
    LtiJobs,
    LtiJobsProcessor,
    DeepLinkingRepository,
    DeepLinking,
  ],
})
export class LtiModule {}
