import { type DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { CancelOrderHandler } from './commands/cancel-order.handler';
import { FinishOrderHandler } from './commands/finish-order.handler';
import { PlaceOrderHandler } from './commands/place-order.handler';
import { RequeueExpiredOrderHandler } from './commands/requeue-expired-order.handler';
import { StartNextOrderHandler } from './commands/start-next-order.handler';
import { Drain } from './drain/drain';
import { EventStore } from './event-store/event-store';
import { InMemoryEventStore } from './event-store/in-memory-event-store';
import { BrewLease } from './lease/brew-lease';
import { LeaseMonitor } from './lease/lease-monitor';
import { OrderRepository } from './order.repository';
import { OrderStatusProjection } from './projections/order-status.projection';
import { QueueProjection } from './projections/queue.projection';
import { GetQueueSnapshotHandler } from './queries/get-queue-snapshot.handler';
import { WaitingCustomers } from './waiting/waiting-customers';

/**
 * The one core of a process: the buses, the event store, its inline projections and the
 * waiting customers. Booted with `NestFactory.createApplicationContext`; the HTTP apps reach
 * it only through `CoreBridgeModule`.
 */
@Module({
  imports: [CqrsModule.forRoot()],
  providers: [
    QueueProjection,
    OrderStatusProjection,
    {
      provide: EventStore,
      useFactory: (queue: QueueProjection, orders: OrderStatusProjection) =>
        new InMemoryEventStore([queue, orders]),
      inject: [QueueProjection, OrderStatusProjection],
    },
    OrderRepository,
    WaitingCustomers,
    Drain,
    PlaceOrderHandler,
    StartNextOrderHandler,
    FinishOrderHandler,
    CancelOrderHandler,
    RequeueExpiredOrderHandler,
    GetQueueSnapshotHandler,
    { provide: BrewLease, useValue: new BrewLease() },
    LeaseMonitor,
  ],
})
export class CoreModule {
  /** The core with its settings. Nest registers these providers after the defaults above, so they win. */
  static forRoot({ brewLeaseMs }: CoreOptions): DynamicModule {
    return {
      module: CoreModule,
      providers: [{ provide: BrewLease, useValue: new BrewLease(brewLeaseMs) }],
    };
  }
}

export interface CoreOptions {
  readonly brewLeaseMs?: number;
}
