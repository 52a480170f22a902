import { type DynamicModule, type INestApplicationContext, Module } from '@nestjs/common';
import {
  type ApiDocsInfo,
  HealthModule,
  SERVER_SENT_EVENTS_DEFAULTS,
  type ServerSentEventsOptions,
} from '@cafe/http';
import { CoreBridgeModule } from '@cafe/ordering';
import { BaristaController } from './barista.controller';
import { BoardController } from './board/board.controller';
import { EventsController, SERVER_SENT_EVENTS_OPTIONS } from './events/events.controller';
import { MetricsController } from './metrics.controller';

export const BARISTA_API_DOCS: ApiDocsInfo = {
  title: 'Café: barista API',
  description:
    'Baristas take the oldest order and finish it; operators read the queue, health, metrics, the event log and the order board. Never exposed to customers.',
};

export interface BaristaOptions {
  /** Tests shorten the heartbeat and the slow-reader bound; production keeps the defaults. */
  eventStream?: Partial<ServerSentEventsOptions>;
}

/** The internal app: baristas take and finish orders. Never exposed to customers. */
@Module({})
export class BaristaModule {
  static forCore(core: INestApplicationContext, options: BaristaOptions = {}): DynamicModule {
    return {
      module: BaristaModule,
      imports: [CoreBridgeModule.from(core), HealthModule.forCore(core)],
      controllers: [BaristaController, MetricsController, EventsController, BoardController],
      providers: [
        {
          provide: SERVER_SENT_EVENTS_OPTIONS,
          useValue: { ...SERVER_SENT_EVENTS_DEFAULTS, ...options.eventStream },
        },
      ],
    };
  }
}
