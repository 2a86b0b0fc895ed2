import { Global, Module } from '@nestjs/common';
import { SignInSeats } from '../../common/auth/sign-in-seats.js';
import { TenantsModule } from '../tenants/tenants.module.js';
import { AutoSeats } from './auto-seats.service.js';
import { LicensesModule } from './licenses.module.js';

/** Global: auth's sign-in asks SignInSeats without importing the licenses module. */
@Global()
@Module({
  imports: [LicensesModule, TenantsModule],
  providers: [AutoSeats, { provide: SignInSeats, useExisting: AutoSeats }],
  exports: [SignInSeats],
})
export class LicenseSignInModule {}
