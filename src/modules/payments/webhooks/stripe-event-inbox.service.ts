import { Injectable } from '@nestjs/common';
import { StripeEventsRepository, type ReceivedEvent } from './stripe-events.repository.js';

interface Waiting {
  event: ReceivedEvent;
  resolve: (stored: boolean) => void;
  reject: (error: unknown) => void;
}

const MAX_BATCH = 500;

/**
 * Stores webhook deliveries by group commit: deliveries that arrive while a write is in flight
 * go together in the next one (one statement, one commit), and each is answered once the
 * commit that holds it is done. Alone, a delivery is written at once; under load, hundreds
 * share a commit instead of each paying its own.
 */
@Injectable()
export class StripeEventInbox {
  private waiting: Waiting[] = [];
  private writing = false;

  constructor(private readonly events: StripeEventsRepository) {}

  /** True when the event is new; false for a redelivery (or a second copy in the same batch). */
  store(event: ReceivedEvent): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ event, resolve, reject });
      if (!this.writing) {
        this.writing = true;
        setImmediate(() => void this.write());
      }
    });
  }

  private async write(): Promise<void> {
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0, MAX_BATCH);
      await this.writeBatch(batch);
    }
    this.writing = false;
  }

  private async writeBatch(batch: Waiting[]): Promise<void> {
    try {
      const stored = await this.events.storeMany(batch.map((waiting) => waiting.event));
      for (const waiting of batch) {
        // The first copy of an id in the batch takes the "new"; any other is a duplicate.
        waiting.resolve(stored.delete(waiting.event.id));
      }
    } catch (error) {
      if (batch.length === 1) {
        batch[0]?.reject(error);
        return;
      }
      // One bad row must not fail the others: each on its own.
      for (const waiting of batch) {
        await this.writeBatch([waiting]);
      }
    }
  }
}
