import { type DynamicModule, type INestApplicationContext, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import {
  type ApiDocsInfo,
  type ConnectionDoor,
  HealthModule,
  SERVER_SENT_EVENTS_DEFAULTS,
  type ServerSentEventsOptions,
  TrustedProxies,
} from '@cafe/http';
import { CoreBridgeModule } from '@cafe/ordering';
import { BaristaController } from './barista.controller';
import { BoardController } from './board/board.controller';
import { EventsController, SERVER_SENT_EVENTS_OPTIONS } from './events/events.controller';
import { StreamReaders, type StreamReaderLimits } from './events/stream-readers';
import { MetricsController } from './metrics.controller';
import { StaffSessionController } from './staff/staff-session.controller';
import { STAFF_TOKENS, StaffTokenGuard } from './staff/staff-token.guard';
import type { StaffTokens } from './staff/staff-tokens';
import { StationController } from './station/station.controller';

export const BARISTA_API_DOCS: ApiDocsInfo = {
  title: 'Café: barista API',
  description:
    'Baristas take the oldest order and finish it; operators read the queue, health, metrics, the event log and the order board. Never exposed to customers.',
  bearer:
    "When the café runs with BARISTA_TOKENS, every route but /health, /health/live, /metrics and the page files needs a barista's token; their name is recorded on the orders they start and finish.",
};

export interface BaristaOptions {
  /** Tests shorten the heartbeat and the slow-reader bound; production keeps the defaults. */
  eventStream?: Partial<ServerSentEventsOptions>;
  /** The baristas' tokens (BARISTA_TOKENS); without them the app is open. */
  staffTokens?: StaffTokens;
  /** How many event streams may be open, per address and in all. */
  streamReaders: StreamReaderLimits;
  /** Proxies whose X-Forwarded-For is believed (TRUSTED_PROXIES), for the readers' addresses. */
  trustedProxies: TrustedProxies;
}

/** The internal app: baristas take and finish orders. Never exposed to customers. */
@Module({})
export class BaristaModule {
  /** `customerDoor`: the customer port's, whose state the barista port's readiness reports. */
  static forCore(
    core: INestApplicationContext,
    customerDoor: ConnectionDoor,
    options: BaristaOptions,
  ): DynamicModule {
    return {
      module: BaristaModule,
      imports: [CoreBridgeModule.from(core), HealthModule.forCore(core, customerDoor)],
      controllers: [
        BaristaController,
        MetricsController,
        EventsController,
        BoardController,
        StationController,
        StaffSessionController,
      ],
      providers: [
        { provide: STAFF_TOKENS, useValue: options.staffTokens },
        { provide: TrustedProxies, useValue: options.trustedProxies },
        { provide: StreamReaders, useValue: new StreamReaders(options.streamReaders) },
        { provide: APP_GUARD, useClass: StaffTokenGuard },
        {
          provide: SERVER_SENT_EVENTS_OPTIONS,
          useValue: { ...SERVER_SENT_EVENTS_DEFAULTS, ...options.eventStream },
        },
      ],
    };
  }
}
