import { type DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import type { Logger } from 'pino';
import { Clock, SystemClock } from './clock';
import { CancelOrderHandler } from './commands/cancel-order.handler';
import { CutOffAddressHandler } from './commands/cut-off-address.handler';
import { FinishOrderHandler } from './commands/finish-order.handler';
import { PlaceOrderHandler } from './commands/place-order.handler';
import { RequeueExpiredOrderHandler } from './commands/requeue-expired-order.handler';
import { StartNextOrderHandler } from './commands/start-next-order.handler';
import { EventFeed } from './event-store/event-feed';
import { EventStore } from './event-store/event-store';
import {
  type EventStoreChoice,
  eventStoreProvider,
  IN_MEMORY,
  INLINE_PROJECTIONS,
  instanceLivenessProvider,
  nextOrderClaimProvider,
} from './event-store/event-store.provider';
import { CafeMetrics } from './metrics/cafe-metrics';
import { Drain } from './drain/drain.service';
import { BrewLease } from './lease/brew-lease';
import { LeaseMonitor } from './lease/lease-monitor';
import { EventLog } from './logging/event-log';
import { OrderRepository } from './order.repository';
import { OrderHistory } from './order-history';
import { OrderDecisionState, OrderReadModel, OrderStates } from './orders/order-states';
import { Retention } from './retention';
import { QueuePolicy, type QueuePolicyName } from './projections/queue-policy';
import { QueueProjection } from './projections/queue.projection';
import { QueuedByAddressProjection } from './projections/queued-by-address.projection';
import { GetBoardHandler } from './queries/get-board.handler';
import { GetEventHistoryHandler } from './queries/get-event-history.handler';
import { GetHeldOrderHandler, GetOrderHandler } from './queries/get-order.handler';
import { GetQueueSnapshotHandler } from './queries/get-queue-snapshot.handler';
import { CafeInstance } from './waiting/cafe-instance';
import { ORPHAN_REATTACH_MS, OrphanedOrders } from './waiting/orphaned-orders';
import { WaitingCustomers } from './waiting/waiting-customers';
import type { SessionDeadlines } from './session-deadlines';

export interface CoreOptions {
  readonly eventStore?: EventStoreChoice;
  readonly queuePolicy?: QueuePolicyName;
  readonly brewLeaseMs?: number;
  /** How the sessions to a PostgreSQL log are proven alive; the defaults without it. */
  readonly sessionDeadlines?: SessionDeadlines;
  /** What the views and the memory store keep of the past; the defaults of Retention without it. */
  readonly retention?: Retention;
  /** Takes one line per domain event; none without it. */
  readonly logger?: Logger;
  /** The machine's clock unless a test moves time itself. */
  readonly clock?: Clock;
  /** How long an order with an Idempotency-Key whose holder died waits for its customer; 300 s. */
  readonly orphanReattachMs?: number;
}

/**
 * The one core of a process: the buses, the event store, its inline projections and the
 * waiting customers. Booted with `NestFactory.createApplicationContext`; the HTTP apps reach
 * it only through `CoreBridgeModule`.
 */
@Module({})
export class CoreModule {
  /** The core with the event store, queue policy and brew lease of the configuration; by default in memory, fifo, 600 s. */
  static forRoot({
    eventStore = IN_MEMORY,
    queuePolicy = 'fifo',
    brewLeaseMs,
    sessionDeadlines,
    retention = new Retention(),
    logger,
    clock = new SystemClock(),
    orphanReattachMs = 300_000,
  }: CoreOptions = {}): DynamicModule {
    const next = queuePolicy === 'fair' ? QueuedByAddressProjection : QueueProjection;
    const eventLog = logger && {
      provide: EventLog,
      useFactory: (store: EventStore) => new EventLog(store, logger),
      inject: [EventStore],
    };
    return {
      module: CoreModule,
      imports: [CqrsModule.forRoot()],
      providers: [
        { provide: Retention, useValue: retention },
        ...INLINE_PROJECTIONS,
        // One fold of the orders, handed out narrow: the write side decides from one type, the
        // readers read the other.
        { provide: OrderDecisionState, useExisting: OrderStates },
        { provide: OrderReadModel, useExisting: OrderStates },
        eventStoreProvider(eventStore, sessionDeadlines),
        { provide: QueuePolicy, useExisting: next },
        { provide: BrewLease, useValue: new BrewLease(brewLeaseMs) },
        { provide: Clock, useValue: clock },
        { provide: CafeInstance, useValue: new CafeInstance() },
        { provide: ORPHAN_REATTACH_MS, useValue: orphanReattachMs },
        OrphanedOrders,
        OrderRepository,
        nextOrderClaimProvider,
        OrderHistory,
        instanceLivenessProvider,
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
        GetBoardHandler,
        GetOrderHandler,
        GetHeldOrderHandler,
        LeaseMonitor,
        ...(eventLog ? [eventLog] : []),
      ],
    };
  }
}
