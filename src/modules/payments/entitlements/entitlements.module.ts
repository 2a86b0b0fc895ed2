import { Global, Module } from '@nestjs/common';
import { RequestBudgets } from '../../../common/throttling/request-budgets.js';
import { EntitlementsRepository } from './entitlements.repository.js';
import { Entitlements } from './entitlements.service.js';

/**
 * Global: rate limits, tenants and users ask it without depending on the payments module
 * (which depends on them). It reads only payments' own tables.
 */
@Global()
@Module({
  providers: [
    EntitlementsRepository,
    Entitlements,
    {
      provide: RequestBudgets,
      inject: [Entitlements],
      useFactory: (entitlements: Entitlements): RequestBudgets => ({
        perHour: (userId, tenantId) => entitlements.requestBudgetPerHour(userId, tenantId),
      }),
    },
  ],
  exports: [Entitlements, RequestBudgets],
})
export class EntitlementsModule {}
