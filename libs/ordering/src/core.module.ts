import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { CancelOrderHandler } from './commands/cancel-order.handler';
import { FinishOrderHandler } from './commands/finish-order.handler';
import { PlaceOrderHandler } from './commands/place-order.handler';
import { StartNextOrderHandler } from './commands/start-next-order.handler';
import { EventFeed } from './event-store/event-feed';
import { EventStore } from './event-store/event-store';
import { InMemoryEventStore } from './event-store/in-memory-event-store';
import { CafeMetrics } from './metrics/cafe-metrics';
import { OrderRepository } from './order.repository';
import { BoardProjection } from './projections/board.projection';
import { OrderStatusProjection } from './projections/order-status.projection';
import { QueueProjection } from './projections/queue.projection';
import { GetBoardHandler } from './queries/get-board.handler';
import { GetEventHistoryHandler } from './queries/get-event-history.handler';
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
    EventFeed,
    WaitingCustomers,
    CafeMetrics,
    PlaceOrderHandler,
    StartNextOrderHandler,
    FinishOrderHandler,
    CancelOrderHandler,
    GetQueueSnapshotHandler,
    GetEventHistoryHandler,
    BoardProjection,
    GetBoardHandler,
  ],
})
export class CoreModule {}
