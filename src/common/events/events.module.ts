import { Global, Module } from '@nestjs/common';
import { QueueModule } from '../queue/queue.module.js';
import { EventsProcessor } from './events.processor.js';
import { OutboxRelay } from './outbox-relay.service.js';
import { OutboxService } from './outbox.service.js';

@Global()
@Module({
  imports: [QueueModule],
  providers: [OutboxService, OutboxRelay, EventsProcessor],
  exports: [OutboxService, OutboxRelay],
})
export class EventsModule {}
