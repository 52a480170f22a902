import { type DynamicModule, type INestApplicationContext, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { Drain, EventStore, historyKept } from '@cafe/ordering';
import type { ConnectionDoor } from '../connection-door';
import { HealthController, READINESS, type Readiness } from './health.controller';

/**
 * `/health` (readiness) and `/health/live` (liveness) for an app of the given core. The app
 * that takes orders is not ready while the café drains, so a load balancer sends new customers
 * elsewhere; the barista app stays ready, its work is what a drain waits for.
 */
@Module({})
export class HealthModule {
  /** `customerDoor`: the customer port's, whose state both apps report. */
  static forCore(
    core: INestApplicationContext,
    customerDoor: ConnectionDoor,
    { takesOrders = false } = {},
  ): DynamicModule {
    const store = core.get(EventStore);
    const drain = core.get(Drain);
    const readiness: Readiness = {
      storeIsWritable: () => store.isWritable(),
      storeKeeps: historyKept(store.eventsKept),
      takingOrders: takesOrders ? () => drain.takingOrders : undefined,
      customerPortFull: () => customerDoor.refusingConnections,
    };
    return {
      module: HealthModule,
      imports: [TerminusModule],
      controllers: [HealthController],
      // Functions, not the store and the drain: Nest runs the lifecycle hooks of every provided
      // instance when an app closes, and theirs (closing a database file) belong to the core.
      providers: [{ provide: READINESS, useValue: readiness }],
    };
  }
}
