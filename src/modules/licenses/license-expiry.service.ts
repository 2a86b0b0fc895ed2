import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AuditService } from '../../common/audit/audit.service.js';
import { CacheInvalidation } from '../../common/cache/cache-invalidation.service.js';
import { Clock } from '../../common/clock/clock.js';
import { OutboxService } from '../../common/events/outbox.service.js';
import { licenseEventPayload } from './license-events.js';
import { LicensesRepository, type LicenseRow } from './licenses.repository.js';

/** Days before the end of a term when the school hears that it is ending, smallest first. */
export const REMINDER_DAYS = [1, 7, 30] as const;

export interface LicenseExpiryReport {
  expired: number;
  reminders_sent: number;
  reminders_failed: number;
}

/**
 * The license expiry job: licenses whose term ended turn `expired`, and each live license gets
 * a `license.expiring` event 30, 7 and 1 days before its end. A reminder is claimed in
 * `license_reminders` (per license, term and threshold) in the event's own transaction, so it
 * goes once however many instances run the job and however often. A license found late gets
 * the nearest threshold only (5 days left: the 7-day reminder, not the 30-day one).
 */
@Injectable()
export class LicenseExpiry {
  private readonly logger = new Logger(LicenseExpiry.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly licenses: LicensesRepository,
    private readonly outbox: OutboxService,
    private readonly audit: AuditService,
    private readonly invalidation: CacheInvalidation,
    private readonly clock: Clock,
  ) {}

  async run(): Promise<LicenseExpiryReport> {
    const now = this.clock.now();
    const report: LicenseExpiryReport = { expired: 0, reminders_sent: 0, reminders_failed: 0 };
    // Reminders go even when expiry fails; the run fails after them, and the next one retries.
    let expiryFailure: Error | undefined;
    try {
      report.expired = await this.expire(now);
    } catch (error) {
      expiryFailure = error instanceof Error ? error : new Error(String(error));
    }
    for (const license of await this.licenses.dueReminders(now, REMINDER_DAYS)) {
      try {
        if (await this.remind(license, license.days_before, now)) {
          report.reminders_sent += 1;
        }
      } catch (error) {
        report.reminders_failed += 1;
        this.logger.warn({ err: error, license_id: license.id }, 'license reminder failed');
      }
    }
    if (report.expired > 0 || report.reminders_sent > 0 || report.reminders_failed > 0) {
      this.logger.log(report, 'license expiry check done');
    }
    if (expiryFailure) {
      throw expiryFailure;
    }
    return report;
  }

  /** Status moves and the audit of each commit together; the holders' seats drop after. */
  private expire(now: Date): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const ended = await this.licenses.expireEnded(now, manager);
      for (const license of ended) {
        await this.audit.recordNow(
          {
            actorType: 'system',
            tenantId: license.tenant_id,
            action: 'license.expired',
            resourceType: 'license',
            resourceId: license.id,
            outcome: 'success',
            metadata: {
              from: license.previous_status,
              to: license.status,
              expires_at: license.expires_at.toISOString(),
            },
          },
          manager,
        );
      }
      if (ended.length > 0) {
        const holders = await this.licenses.holdersOfAny(
          ended.map((license) => license.id),
          manager,
        );
        this.invalidation.changed(manager, 'license_seat', holders);
      }
      return ended.length;
    });
  }

  /** true: this run sent the reminder; false: another instance claimed it first. */
  private remind(license: LicenseRow, daysBefore: number, now: Date): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      if (!(await this.licenses.claimReminder(manager, license, daysBefore, now))) {
        return false;
      }
      await this.outbox.add(manager, {
        type: 'license.expiring',
        aggregateId: license.id,
        payload: { ...licenseEventPayload(license), days_before: daysBefore },
      });
      return true;
    });
  }
}
