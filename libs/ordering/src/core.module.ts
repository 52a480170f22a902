import { type DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { CancelOrderHandler } from './commands/cancel-order.handler';
import { CutOffAddressHandler } from './commands/cut-off-address.handler';
import { FinishOrderHandler } from './commands/finish-order.handler';
import { PlaceOrderHandler } from './commands/place-order.handler';
import { StartNextOrderHandler } from './commands/start-next-order.handler';
import { EventStore } from './event-store/event-store';
import { InMemoryEventStore } from './event-store/in-memory-event-store';
import { OrderRepository } from './order.repository';
import { OrderStatusProjection } from './projections/order-status.projection';
import { NextOrder, type QueuePolicyName } from './projections/queue-policy';
import { QueueProjection } from './projections/queue.projection';
import { QueuedByAddressProjection } from './projections/queued-by-address.projection';
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
    QueuedByAddressProjection,
    {
      provide: EventStore,
      useFactory: (
        queue: QueueProjection,
        orders: OrderStatusProjection,
        byAddress: QueuedByAddressProjection,
      ) => new InMemoryEventStore([queue, orders, byAddress]),
      inject: [QueueProjection, OrderStatusProjection, QueuedByAddressProjection],
    },
    { provide: NextOrder, useExisting: QueueProjection },
    OrderRepository,
    WaitingCustomers,
    PlaceOrderHandler,
    StartNextOrderHandler,
    FinishOrderHandler,
    CancelOrderHandler,
    CutOffAddressHandler,
    GetQueueSnapshotHandler,
  ],
})
export class CoreModule {
  /** The core with the queue policy chosen at start (QUEUE_POLICY); without it, fifo. */
  static forRoot({ queuePolicy }: { queuePolicy: QueuePolicyName }): DynamicModule {
    const next = queuePolicy === 'fair' ? QueuedByAddressProjection : QueueProjection;
    return { module: CoreModule, providers: [{ provide: NextOrder, useExisting: next }] };
  }
}
