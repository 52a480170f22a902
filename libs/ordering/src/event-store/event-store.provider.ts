import type { FactoryProvider } from '@nestjs/common';
import { NextOrderClaim, StartInSharedLog, StartOnViews } from '../claims/next-order-claim';
import { Clock } from '../clock';
import { CafeMetrics } from '../metrics/cafe-metrics';
import { OrderRepository } from '../order.repository';
import { QueuePolicy } from '../projections/queue-policy';
import { InstanceLiveness, OnlyThisInstance } from '../waiting/cafe-instance';
import { BoardProjection } from '../projections/board.projection';
import { IdempotencyKeyProjection } from '../projections/idempotency-key.projection';
import { OrderReadModel, OrderStates } from '../orders/order-states';
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
 * views. With `instanceLivenessProvider` below, the places that ask which adapter the store is.
 */
export const nextOrderClaimProvider: FactoryProvider<NextOrderClaim> = {
  provide: NextOrderClaim,
  useFactory: (
    store: EventStore,
    queue: QueuePolicy,
    repository: OrderRepository,
    orders: OrderReadModel,
    metrics: CafeMetrics,
    clock: Clock,
  ) =>
    store instanceof PostgresEventStore && queue.oldestFirst
      ? new StartInSharedLog(store, queue, orders, metrics, clock)
      : new StartOnViews(queue, repository, store, clock),
  inject: [EventStore, QueuePolicy, OrderRepository, OrderReadModel, CafeMetrics, Clock],
};

/** An instance not heard of for this long is gone; its customers' connections died with it. */
const INSTANCE_STALE_AFTER_MS = 30_000;

/** Which instances are alive: on PostgreSQL, a table every instance writes; else this one alone. */
export const instanceLivenessProvider: FactoryProvider<InstanceLiveness> = {
  provide: InstanceLiveness,
  useFactory: (store: EventStore): InstanceLiveness =>
    store instanceof PostgresEventStore
      ? { shared: true, alive: (self) => store.liveInstances(self, INSTANCE_STALE_AFTER_MS) }
      : new OnlyThisInstance(),
  inject: [EventStore],
};
