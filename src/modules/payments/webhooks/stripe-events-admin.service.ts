import { Injectable } from '@nestjs/common';
import { AppException } from '../../../common/errors/app.exception.js';
import { toStripeEventDto, type StripeEventDto } from '../dto/stripe-event.dto.js';
import { StripeEventRelay } from './stripe-event-relay.service.js';
import { StripeEventsRepository, type EventListStatus } from './stripe-events.repository.js';

const DEFAULT_LIMIT = 50;

/** Stored events for super admins: what waits, what failed and why, and a retry. */
@Injectable()
export class StripeEventsAdmin {
  constructor(
    private readonly events: StripeEventsRepository,
    private readonly relay: StripeEventRelay,
  ) {}

  async list(status: EventListStatus = 'failed', limit = DEFAULT_LIMIT): Promise<StripeEventDto[]> {
    return (await this.events.list(status, limit)).map(toStripeEventDto);
  }

  /** An unprocessed event gets a fresh job in a new round (the failed job stays for inspection). */
  async retry(id: string): Promise<StripeEventDto> {
    const event = await this.events.find(id);
    if (!event) {
      throw new AppException('PAYMENTS_EVENT_NOT_FOUND');
    }
    if (!event.processed_at) {
      await this.events.clearFailure(id);
      this.relay.nudge();
    }
    return toStripeEventDto((await this.events.find(id)) ?? event);
  }
}
