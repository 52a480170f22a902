import type { FactoryProvider } from '@nestjs/common';
import { NextOrderClaim, StartInSharedLog, StartOnViews } from '../claims/next-order-claim';
import { Clock } from '../clock';
import { CafeMetrics } from '../metrics/cafe-metrics';
import { OrderRepository } from '../order.repository';
import { QueuePolicy } from '../projections/queue-policy';
import { BoardProjection } from '../projections/board.projection';
import { IdempotencyKeyProjection } from '../projections/idempotency-key.projection';
import { OrderStates } from '../orders/order-states';
import { QueueProjection } from '../projections/queue.projection';
import { QueuedByAddressProjection } from '../projections/queued-by-address.projection';
import { Retention } from '../retention';
import { EventStore, type InlineProjection } from './event-store';
import { InMemoryEventStore } from './in-memory-event-store';
import { PostgresEventStore } from './postgres-event-store';
import { redacted } from './postgres-link';
import { SqliteEventStore } from './sqlite-event-store';
import { DEFAULT_SESSION_DEADLINES, type SessionDeadlines } from '../session-deadlines';

/** Where the log lives: in the process only (the default), in a SQLite file, or in PostgreSQL shared by a fleet. */
export type EventStoreChoice =
  { kind: 'memory' } | { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

export const IN_MEMORY: EventStoreChoice = { kind: 'memory' };

/** The choice in words for an operator (the start banner): a PostgreSQL URL without its password. */
export function describeEventStore(choice: EventStoreChoice): string {
  switch (choice.kind) {
    case 'memory':
      return 'memory';
    case 'sqlite':
      return `sqlite (${choice.path})`;
    case 'postgres':
      return `postgres (${redacted(choice.url)})`;
  }
}

/**
 * What the store feeds every event, in position order: the write side's state (OrderStates),
 * which commands decide on, and the read models, which queries read.
 */
export const INLINE_PROJECTIONS = [
  QueueProjection,
  OrderStates,
  IdempotencyKeyProjection,
  QueuedByAddressProjection,
  BoardProjection,
];

/**
 * Provides the chosen adapter with the inline projections; a durable log reads what they need
 * into them on open (the live orders and the latest settled ones).
 */
export function eventStoreProvider(
  choice: EventStoreChoice,
  sessionDeadlines: SessionDeadlines = DEFAULT_SESSION_DEADLINES,
): FactoryProvider<EventStore> {
  return {
    provide: EventStore,
    useFactory: (
      retention: Retention,
      ...projections: InlineProjection[]
    ): EventStore | Promise<EventStore> => {
      switch (choice.kind) {
        case 'memory':
          return new InMemoryEventStore(projections, retention);
        case 'sqlite':
          return new SqliteEventStore(choice.path, projections, { retention });
        case 'postgres':
          return PostgresEventStore.open(choice.url, projections, {
            ...sessionDeadlines,
            retention,
          });
      }
    },
    inject: [Retention, ...INLINE_PROJECTIONS],
  };
}

/**
 * How GET /start/ takes the next order, chosen with the store: a fleet on PostgreSQL under the
 * fifo policy lets the log claim its oldest queued order; otherwise the start is decided on the
 * views. The one place that asks which adapter the store is.
 */
export const nextOrderClaimProvider: FactoryProvider<NextOrderClaim> = {
  provide: NextOrderClaim,
  useFactory: (
    store: EventStore,
    queue: QueuePolicy,
    repository: OrderRepository,
    orders: OrderStates,
    metrics: CafeMetrics,
    clock: Clock,
  ) =>
    store instanceof PostgresEventStore && queue.oldestFirst
      ? new StartInSharedLog(store, queue, orders, metrics, clock)
      : new StartOnViews(queue, repository, store, clock),
  inject: [EventStore, QueuePolicy, OrderRepository, OrderStates, CafeMetrics, Clock],
};

/**
 * Whether other processes may append to the log too (a fleet on PostgreSQL): start-up may then
 * not take every other instance for gone (OrphanedOrders). Asked here, where the store is chosen,
 * not of the port.
 */
export const LOG_SHARED = Symbol('LOG_SHARED');

export const logSharedProvider: FactoryProvider<boolean> = {
  provide: LOG_SHARED,
  useFactory: (store: EventStore) => store instanceof PostgresEventStore,
  inject: [EventStore],
};
