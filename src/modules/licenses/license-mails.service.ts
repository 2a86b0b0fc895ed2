import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { DomainEvent } from '../../common/events/domain-event.js';
import { EventSubscribers } from '../../common/events/event-subscribers.js';
import type { MailMessage } from '../../common/mail/mail-message.js';
import { MailService } from '../../common/mail/mail.service.js';
import { AppConfigService } from '../../config/app-config.service.js';
import { MembershipsRepository } from '../users/memberships.repository.js';

interface LicenseEventPayload {
  tenant_id?: string;
  surplus_seats?: number;
  total_seats?: number;
  used_seats?: number;
  expires_at?: string;
  days_before?: number;
}

/**
 * Mails the school's active admins about their license: over-allocated (how many seats to
 * free) and ending soon. One mail job per event and admin (its id), so a relay that repeats
 * itself mails nobody twice.
 */
@Injectable()
export class LicenseMails implements OnModuleInit {
  constructor(
    private readonly subscribers: EventSubscribers,
    private readonly mail: MailService,
    private readonly memberships: MembershipsRepository,
    private readonly config: AppConfigService,
  ) {}

  onModuleInit(): void {
    this.subscribers.on(['license.over_allocated', 'license.expiring'], (event) =>
      this.send(event),
    );
  }

  private async send(event: DomainEvent): Promise<void> {
    const payload = event.payload as LicenseEventPayload;
    if (!payload.tenant_id) {
      return;
    }
    const message = this.compose(event.type, payload);
    if (!message) {
      return;
    }
    for (const admin of await this.memberships.activeAdminEmails(payload.tenant_id)) {
      await this.mail.send(
        { to: admin.email, ...message },
        { dedupeId: `license-${event.id}-${admin.user_id}` },
      );
    }
  }

  private compose(
    type: DomainEvent['type'],
    payload: LicenseEventPayload,
  ): Omit<MailMessage, 'to'> | undefined {
    const licenses = `${this.config.get('FRONTEND_URL').replace(/\/$/, '')}/admin/licenses`;
    if (type === 'license.over_allocated') {
      const surplus =
        payload.surplus_seats ??
        Math.max(0, (payload.used_seats ?? 0) - (payload.total_seats ?? 0));
      return {
        subject: `Your DreamSeed license has ${surplus} ${seats(surplus)} too many assigned`,
        text:
          `${surplus} ${seats(surplus)} more are assigned than the license has; ` +
          `free ${surplus} ${seats(surplus)} or buy more.\n` +
          `Nobody loses their seat meanwhile, but no new seat can be assigned.\n` +
          `Manage the seats: ${licenses}\n`,
      };
    }
    if (type === 'license.expiring') {
      const days = payload.days_before ?? 0;
      const date = payload.expires_at?.slice(0, 10) ?? 'its end date';
      return {
        subject: `Your DreamSeed license ends in ${days} ${days === 1 ? 'day' : 'days'}`,
        text:
          `Your DreamSeed license ends in ${days} ${days === 1 ? 'day' : 'days'} on ${date}.\n` +
          `Renew it to keep your students' seats: ${licenses}\n`,
      };
    }
    return undefined;
  }
}

function seats(count: number): string {
  return count === 1 ? 'seat' : 'seats';
}
