import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Tenant } from './tenant.entity.js';
import { TenantFeatures } from './tenant-features.service.js';
import { TenantSettingsService } from './tenant-settings.service.js';
import { TenantsRepository } from './tenants.repository.js';
import { registerErrorCodes } from '../../common/errors/error-codes.js';
import { TENANT_ERROR_CODES } from './tenants.errors.js';

registerErrorCodes(TENANT_ERROR_CODES);

/** Schools and universities. The Tenants issue adds the lifecycle and the marketplace API. */
@Module({
  imports: [TypeOrmModule.forFeature([Tenant])],
  providers: [TenantsRepository, TenantFeatures, TenantSettingsService],
  exports: [TenantsRepository, TenantFeatures, TenantSettingsService],
})
export class TenantsModule {}
