import { type DynamicModule, type INestApplicationContext, Module } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { Clock } from './clock';
import { EventFeed } from './event-store/event-feed';
import { CafeMetrics } from './metrics/cafe-metrics';
import { WaitingCustomers } from './waiting/waiting-customers';

/** What an HTTP app may use of the core. */
const SHARED = [CommandBus, QueryBus, WaitingCustomers, CafeMetrics, EventFeed, Clock] as const;

/**
 * Hands the core's own instances to an HTTP app. Importing CqrsModule into an app instead
 * would create a second bus whose handlers see none of the core's state.
 */
@Module({})
export class CoreBridgeModule {
  static from(core: INestApplicationContext): DynamicModule {
    return {
      module: CoreBridgeModule,
      providers: SHARED.map((token) => ({ provide: token, useValue: core.get(token) })),
      exports: [...SHARED],
    };
  }
}
