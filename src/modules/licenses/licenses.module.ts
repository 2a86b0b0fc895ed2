import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { registerErrorCodes } from '../../common/errors/error-codes.js';
import { QueueModule } from '../../common/queue/queue.module.js';
import { MailModule } from '../../common/mail/mail.module.js';
import { ClassesModule } from '../classes/classes.module.js';
import { TenantsModule } from '../tenants/tenants.module.js';
import { UsersModule } from '../users/users.module.js';
import { LicenseReminder } from './entities/license-reminder.entity.js';
import { LicenseSeat } from './entities/license-seat.entity.js';
import { SchoolLicense } from './entities/school-license.entity.js';
import { LicenseAudit } from './license-audit.service.js';
import { LicenseExpiryProcessor } from './license-expiry.processor.js';
import { LicenseExpiry } from './license-expiry.service.js';
import { LicenseMails } from './license-mails.service.js';
import { LICENSE_ERROR_CODES } from './licenses.errors.js';
import { LicensesController } from './licenses.controller.js';
import { LicensesRepository } from './licenses.repository.js';
import { LicensesService } from './licenses.service.js';
import { MyEntitlements } from './my-entitlements.service.js';
import { MyLicenseController } from './my-license.controller.js';
import { RequiresSeatGuard } from './requires-seat.guard.js';
import { SeatAccess } from './seat-access.service.js';
import { SeatAssignments } from './seat-assignments.service.js';
import { StripeSeats } from './stripe-seats.service.js';

registerErrorCodes(LICENSE_ERROR_CODES);

/**
 * School seat licenses (/api/v1/licenses, /api/v1/users/me/entitlements) and their expiry job
 * (`licenses-maintenance`). Seats taken at sign-in: LicenseSignInModule.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([SchoolLicense, LicenseSeat, LicenseReminder]),
    QueueModule,
    UsersModule,
    ClassesModule,
    TenantsModule,
    MailModule,
  ],
  controllers: [LicensesController, MyLicenseController],
  providers: [
    LicensesRepository,
    LicensesService,
    SeatAssignments,
    SeatAccess,
    RequiresSeatGuard,
    MyEntitlements,
    LicenseAudit,
    LicenseExpiry,
    LicenseExpiryProcessor,
    StripeSeats,
    LicenseMails,
  ],
  exports: [LicensesRepository, SeatAssignments, SeatAccess, RequiresSeatGuard, LicenseAudit],
})
export class LicensesModule {}
