import { Global, Module } from '@nestjs/common';
import { QueueModule } from '../queue/queue.module.js';
import { EventSubscribers } from './event-subscribers.js';
import { EventsProcessor } from './events.processor.js';
import { OutboxRelay } from './outbox-relay.service.js';
import { OutboxService } from './outbox.service.js';

@Global()
@Module({
  imports: [QueueModule],
  providers: [OutboxService, OutboxRelay, EventsProcessor, EventSubscribers],
  exports: [OutboxService, OutboxRelay, EventSubscribers],
})
export class EventsModule {}
