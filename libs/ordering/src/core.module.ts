import { type DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { CancelOrderHandler } from './commands/cancel-order.handler';
import { CutOffAddressHandler } from './commands/cut-off-address.handler';
import { FinishOrderHandler } from './commands/finish-order.handler';
import { PlaceOrderHandler } from './commands/place-order.handler';
import { RequeueExpiredOrderHandler } from './commands/requeue-expired-order.handler';
import { StartNextOrderHandler } from './commands/start-next-order.handler';
import { EventFeed } from './event-store/event-feed';
import {
  type EventStoreChoice,
  eventStoreProvider,
  IN_MEMORY,
} from './event-store/event-store.provider';
import { CafeMetrics } from './metrics/cafe-metrics';
import { Drain } from './drain/drain';
import { BrewLease } from './lease/brew-lease';
import { LeaseMonitor } from './lease/lease-monitor';
import { OrderRepository } from './order.repository';
import { BoardProjection } from './projections/board.projection';
import { IdempotencyKeyProjection } from './projections/idempotency-key.projection';
import { OrderStatusProjection } from './projections/order-status.projection';
import { NextOrder, type QueuePolicyName } from './projections/queue-policy';
import { QueueProjection } from './projections/queue.projection';
import { GetBoardHandler } from './queries/get-board.handler';
import { GetEventHistoryHandler } from './queries/get-event-history.handler';
import { GetOrderHandler } from './queries/get-order.handler';
import { QueuedByAddressProjection } from './projections/queued-by-address.projection';
import { GetQueueSnapshotHandler } from './queries/get-queue-snapshot.handler';
import { WaitingCustomers } from './waiting/waiting-customers';

export interface CoreOptions {
  readonly eventStore?: EventStoreChoice;
  readonly queuePolicy?: QueuePolicyName;
  readonly brewLeaseMs?: number;
}

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
    IdempotencyKeyProjection,
    QueuedByAddressProjection,
    eventStoreProvider(IN_MEMORY),
    { provide: NextOrder, useExisting: QueueProjection },
    OrderRepository,
    EventFeed,
    WaitingCustomers,
    CafeMetrics,
    Drain,
    PlaceOrderHandler,
    StartNextOrderHandler,
    FinishOrderHandler,
    CancelOrderHandler,
    CutOffAddressHandler,
    RequeueExpiredOrderHandler,
    GetQueueSnapshotHandler,
    GetEventHistoryHandler,
    BoardProjection,
    GetBoardHandler,
    GetOrderHandler,
    { provide: BrewLease, useValue: new BrewLease() },
    LeaseMonitor,
  ],
})
export class CoreModule {
  /** The core with the event store, queue policy and brew lease of the configuration; by default in memory, fifo, 600 s. */
  static forRoot({
    eventStore = IN_MEMORY,
    queuePolicy = 'fifo',
    brewLeaseMs,
  }: CoreOptions = {}): DynamicModule {
    const next = queuePolicy === 'fair' ? QueuedByAddressProjection : QueueProjection;
    // A provider of a dynamic module replaces the decorator's provider with the same token.
    return {
      module: CoreModule,
      providers: [
        eventStoreProvider(eventStore),
        { provide: NextOrder, useExisting: next },
        { provide: BrewLease, useValue: new BrewLease(brewLeaseMs) },
      ],
    };
  }
}
