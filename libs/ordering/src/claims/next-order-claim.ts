import { Injectable } from '@nestjs/common';
import { Clock } from '../clock';
import { QueueEmpty } from '../domain/errors';
import type { Order } from '../domain/order';
import { EventStore } from '../event-store/event-store';
import type { PostgresEventStore } from '../event-store/postgres-event-store';
import type { CafeMetrics } from '../metrics/cafe-metrics';
import { OrderRepository } from '../order.repository';
import type { OrderReadModel } from '../orders/order-states';
import { QueuePolicy } from '../projections/queue-policy';

/**
 * How `GET /start/` takes the next order. Chosen once, where the store is chosen
 * (`nextOrderClaimProvider`), so that no handler asks which adapter it has.
 */
export abstract class NextOrderClaim {
  /** Starts the order a barista should take next; QueueEmpty when none is queued. */
  abstract startNext(barista?: string): Promise<Order>;
}

/**
 * Decided on this process's views: the queue policy names the next order, `decide` starts it.
 * Peek and append happen in one synchronous stretch, so two baristas never get the same order
 * from one process; on a shared log a start decided on a stale view is refused and decided again
 * on caught-up views.
 */
@Injectable()
export class StartOnViews extends NextOrderClaim {
  constructor(
    private readonly queue: QueuePolicy,
    private readonly orders: OrderRepository,
    private readonly store: EventStore,
    private readonly clock: Clock,
  ) {
    super();
  }

  async startNext(barista?: string): Promise<Order> {
    await whenQueued(this.queue, this.store);
    return this.orders.decideOnLatest(() => {
      const orderId = this.queue.next();
      if (orderId === undefined) return Promise.reject(new QueueEmpty());
      return this.orders.handle({ kind: 'start', orderId, barista, at: this.clock.now() });
    });
  }
}

/**
 * Claimed by the PostgreSQL log itself, for the fifo policy: it starts its oldest queued order in
 * the transaction that appends the start, so instances never hand out one order twice nor out of
 * placing order (docs/adr/0012). Its queue table follows the domain's statuses (migration 005);
 * postgres-claim.property.spec.ts shows it starts what `decide` would.
 */
export class StartInSharedLog extends NextOrderClaim {
  constructor(
    private readonly store: PostgresEventStore,
    private readonly queue: QueuePolicy,
    private readonly orders: OrderReadModel,
    private readonly metrics: CafeMetrics,
    private readonly clock: Clock,
  ) {
    super();
  }

  async startNext(barista?: string): Promise<Order> {
    await whenQueued(this.queue, this.store);
    const appendTimed = this.metrics.startAppendTimer();
    const started = await this.store
      .startOldestQueued(this.clock.now(), barista)
      .finally(appendTimed);
    if (!started) throw new QueueEmpty();
    return this.orders.get(started.stream) as Order;
  }
}

/**
 * Baristas poll an empty queue: each poll must not cost a decision nor a transaction. The views,
 * caught up once (on a shared log, one read shared by the polls of the moment), say whether
 * there is anything to start.
 */
async function whenQueued(queue: QueuePolicy, store: EventStore): Promise<void> {
  if (queue.next() !== undefined) return;
  await store.caughtUp();
  if (queue.next() === undefined) throw new QueueEmpty();
}
