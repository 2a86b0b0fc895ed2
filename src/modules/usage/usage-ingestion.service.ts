import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../../common/clock/clock.js';
import { isRetryableConflict } from '../../common/database/sql.js';
import { OutboxService } from '../../common/events/outbox.service.js';
import { readTenantConfig, type TenantConfig } from '../tenants/tenant-settings.js';
import { TenantsRepository } from '../tenants/tenants.repository.js';
import { MembershipsRepository } from '../users/memberships.repository.js';
import type {
  IngestUsageDto,
  IngestUsageResultDto,
  RejectedEventDto,
} from './dto/ingest-usage.dto.js';
import { costUsd, priceFor } from './model-prices.js';
import { checkBatch } from './usage-batch.js';
import { UsageIngestionRepository, type PricedEvent } from './usage-ingestion.repository.js';
import { limitAggregateId, tokenLimitWindows } from './usage-limits.js';
import { UsageStatsRepository } from './usage-stats.repository.js';

const ANNOUNCED_MEMORY = 10_000;

/** Usage batches from the AI services: stored once per event id, priced, rolled up. */
@Injectable()
export class UsageIngestionService {
  // Limit events already written (known after commit): skips the outbox lookup on later batches.
  private readonly announced = new Set<string>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tenants: TenantsRepository,
    private readonly memberships: MembershipsRepository,
    private readonly usage: UsageIngestionRepository,
    private readonly stats: UsageStatsRepository,
    private readonly outbox: OutboxService,
    private readonly clock: Clock,
  ) {}

  /** A deactivated tenant's usage is still accepted: the services report it late. */
  async ingest(tenantId: string, dto: IngestUsageDto): Promise<IngestUsageResultDto> {
    const now = this.clock.now();
    checkBatch(dto.events, now);
    const tenant = await this.tenants.require(tenantId);
    const config = readTenantConfig(tenant.settings);
    const userIds = [
      ...new Set(dto.events.flatMap((e) => (e.user_id ? [e.user_id.toLowerCase()] : []))),
    ];
    const members = await this.memberships.membersAmong(tenantId, userIds);
    const rejected: RejectedEventDto[] = [];
    const priced: PricedEvent[] = [];
    for (const event of dto.events) {
      const userId = event.user_id?.toLowerCase() ?? null;
      if (userId !== null && !members.has(userId)) {
        rejected.push({ event_id: event.event_id, reason: 'user_not_member' });
        continue;
      }
      const price = priceFor(event.model, config.model_prices);
      priced.push({
        ...event,
        user_id: userId,
        cost_usd: costUsd(price, event.input_tokens, event.output_tokens),
        occurred_at: new Date(event.occurred_at).toISOString(),
      });
    }
    const accepted = priced.length > 0 ? await this.store(tenantId, priced, config, now) : 0;
    return {
      tenant_id: tenantId,
      received: dto.events.length,
      accepted,
      duplicates: priced.length - accepted,
      rejected,
    };
  }

  private async store(
    tenantId: string,
    events: PricedEvent[],
    config: TenantConfig,
    now: Date,
  ): Promise<number> {
    const attempt = () =>
      this.dataSource.transaction(async (manager) => {
        const inserted = await this.usage.insertBatch(manager, tenantId, events);
        const announced =
          inserted > 0 ? await this.announceLimits(manager, tenantId, config, now) : [];
        return { inserted, announced };
      });
    let result: Awaited<ReturnType<typeof attempt>>;
    try {
      result = await attempt();
    } catch (error) {
      // Two batches of one tenant can still cross on the event index; once more is enough.
      if (!isRetryableConflict(error)) {
        throw error;
      }
      result = await attempt();
    }
    this.remember(result.announced);
    return result.inserted;
  }

  /** Writes `tenant.limit_reached` once per tenant, limit and period; returns the known ones. */
  private async announceLimits(
    manager: EntityManager,
    tenantId: string,
    config: TenantConfig,
    now: Date,
  ): Promise<string[]> {
    const known: string[] = [];
    for (const window of tokenLimitWindows(config.limits, now)) {
      const aggregateId = limitAggregateId(tenantId, window);
      if (this.announced.has(aggregateId)) {
        continue;
      }
      const used = await this.stats.tokensBetween(tenantId, window.from, window.to, manager);
      if (used <= window.value) {
        continue;
      }
      await this.outbox.addOnce(manager, {
        type: 'tenant.limit_reached',
        aggregateId,
        payload: {
          tenant_id: tenantId,
          limit: window.limit,
          limit_value: window.value,
          used,
          period: window.period,
        },
      });
      known.push(aggregateId);
    }
    return known;
  }

  private remember(aggregateIds: string[]): void {
    if (this.announced.size + aggregateIds.length > ANNOUNCED_MEMORY) {
      this.announced.clear();
    }
    aggregateIds.forEach((id) => this.announced.add(id));
  }
}
