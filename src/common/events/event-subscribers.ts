import { Injectable } from '@nestjs/common';
import type { DomainEvent, DomainEventType } from './domain-event.js';

export type EventHandler = (event: DomainEvent) => Promise<void>;

/**
 * Who reacts to which relayed event. Handlers run in the events queue's job: one that throws
 * makes the job retry, so handlers must be idempotent (the event id is stable).
 */
@Injectable()
export class EventSubscribers {
  private readonly handlers = new Map<DomainEventType, EventHandler[]>();

  on(types: DomainEventType[], handler: EventHandler): void {
    for (const type of types) {
      this.handlers.set(type, [...(this.handlers.get(type) ?? []), handler]);
    }
  }

  async dispatch(event: DomainEvent): Promise<void> {
    for (const handler of this.handlers.get(event.type) ?? []) {
      await handler(event);
    }
  }
}
