import { Injectable } from '@nestjs/common';
import { evolve, type Order } from '../domain/order';
import type { OrderStatus } from '../domain/order-status';
import type { InlineProjection, StoredEvent } from '../event-store/event-store';

/** An order and how many events its stream holds. */
interface Entry {
  order: Order;
  version: number;
}

/**
 * Every order by id, as `evolve` folds it, with its stream's version (what a command appends
 * against), plus a count per status for the dashboards.
 */
@Injectable()
export class OrderStatusProjection implements InlineProjection {
  private readonly orders = new Map<string, Entry>();
  private readonly counts: Record<OrderStatus, number> = {
    queued: 0,
    brewing: 0,
    ready: 0,
    cancelled: 0,
  };

  apply({ event, version }: StoredEvent): void {
    const entry = this.orders.get(event.orderId);
    const after = evolve(entry?.order, event);
    if (entry) {
      this.counts[entry.order.status]--;
      entry.order = after;
      entry.version = version;
    } else {
      this.orders.set(event.orderId, { order: after, version });
    }
    this.counts[after.status]++;
  }

  get(orderId: string): Order | undefined {
    return this.orders.get(orderId)?.order;
  }

  /** The order as this process knows it and its stream's version (0: no such order). */
  load(orderId: string): { order: Order | undefined; version: number } {
    const entry = this.orders.get(orderId);
    return entry
      ? { order: entry.order, version: entry.version }
      : { order: undefined, version: 0 };
  }

  count(status: OrderStatus): number {
    return this.counts[status];
  }

  *all(): IterableIterator<Order> {
    for (const { order } of this.orders.values()) yield order;
  }
}
