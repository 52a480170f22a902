import { Injectable, Optional } from '@nestjs/common';
import { evolve, type Order, settles } from '../domain/order';
import type { InlineProjection, StoredEvent } from '../event-store/event-store';
import { Retention } from '../retention';

export type LiveStatus = 'queued' | 'brewing';

/** An order and how many events its stream holds. */
interface Entry {
  order: Order;
  version: number;
  /** When it was finished or cancelled (epoch ms); undefined while it is live. */
  settledAt?: number;
}

/**
 * What the write side decides from (OrderRepository, through OrderHistory): an order as its
 * stream folds by `evolve`, and the version a command appends against: what `decide` is given.
 */
export abstract class OrderDecisionState {
  /** The order as this process holds it and its stream's version (0: not held). */
  abstract load(orderId: string): { order: Order | undefined; version: number };
}

/**
 * What queries and the services that answer or count orders read (GET /orders, the queue
 * snapshot, the waiting customers, metrics, the drain). Nothing that decides a command is given
 * this type, so what is added to it for a reader cannot change how commands decide.
 */
export abstract class OrderReadModel {
  abstract get(orderId: string): Order | undefined;
  /** How many orders are queued, or brewing. */
  abstract count(status: LiveStatus): number;
  /** The live orders, then the recently settled ones still held. */
  abstract all(): IterableIterator<Order>;
}

/**
 * The write side's state: each order as its stream folds by `evolve` and the stream's version,
 * which is what the order's rules decide on and a command appends against (OrderRepository).
 * Fed by the store inline, in position order, like the views of `projections/`, but not one of
 * them: those say which order a command is about (the next in the queue, the order of a key, an
 * address's queued ones) and can change freely; this is what `decide` is given. One fold, so
 * memory holds each order once, handed out as two narrow types: OrderDecisionState to the
 * write side, OrderReadModel to the readers (core.module.ts).
 *
 * It holds the live orders (queued, brewing) and the recently settled ones: at most
 * `retention.recentOrders`, settled no longer than `retention.recentOrdersMs` before the latest
 * event. An order that left it is read from its stream in the log (OrderHistory).
 */
@Injectable()
export class OrderStates implements InlineProjection, OrderDecisionState, OrderReadModel {
  private readonly live = new Map<string, Entry>();
  /** In the order they settled, so the oldest leaves first. */
  private readonly recent = new Map<string, Entry>();
  private readonly retention: Retention;
  private readonly counts: Record<LiveStatus, number> = { queued: 0, brewing: 0 };

  constructor(@Optional() retention?: Retention) {
    this.retention = retention ?? new Retention();
  }

  apply({ event, version }: StoredEvent): void {
    const entry = this.live.get(event.orderId);
    const after = evolve(entry?.order, event);
    if (entry) this.counts[entry.order.status as LiveStatus]--;
    if (!settles(event)) this.counts[after.status as LiveStatus]++;
    if (settles(event)) {
      this.live.delete(event.orderId);
      this.recent.set(event.orderId, { order: after, version, settledAt: event.at });
    } else if (entry) {
      entry.order = after;
      entry.version = version;
    } else {
      this.live.set(event.orderId, { order: after, version });
    }
    this.forgetOld(event.at);
  }

  get(orderId: string): Order | undefined {
    return this.entry(orderId)?.order;
  }

  load(orderId: string): { order: Order | undefined; version: number } {
    const entry = this.entry(orderId);
    return entry
      ? { order: entry.order, version: entry.version }
      : { order: undefined, version: 0 };
  }

  count(status: LiveStatus): number {
    return this.counts[status];
  }

  *all(): IterableIterator<Order> {
    for (const { order } of this.live.values()) yield order;
    for (const { order } of this.recent.values()) yield order;
  }

  private entry(orderId: string): Entry | undefined {
    return this.live.get(orderId) ?? this.recent.get(orderId);
  }

  /** Lets the oldest settled orders go, past the count or the age (by the log's clock, so a replay forgets alike). */
  private forgetOld(now: number): void {
    const { recentOrders, recentOrdersMs } = this.retention;
    for (const [orderId, { settledAt }] of this.recent) {
      if (this.recent.size <= recentOrders && (settledAt as number) > now - recentOrdersMs) break;
      this.recent.delete(orderId);
    }
  }
}
