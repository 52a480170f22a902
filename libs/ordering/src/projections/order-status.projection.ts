import { Injectable } from '@nestjs/common';
import { evolve, type Order, type OrderStatus } from '../domain/order';
import type { InlineProjection, StoredEvent } from '../event-store/event-store';

/** Every order by id, as `evolve` folds it, plus a count per status for the dashboards. */
@Injectable()
export class OrderStatusProjection implements InlineProjection {
  private readonly orders = new Map<string, Order>();
  private readonly counts: Record<OrderStatus, number> = {
    queued: 0,
    brewing: 0,
    ready: 0,
    cancelled: 0,
  };

  apply({ event }: StoredEvent): void {
    const before = this.orders.get(event.orderId);
    const after = evolve(before, event);
    this.orders.set(event.orderId, after);
    if (before) this.counts[before.status]--;
    this.counts[after.status]++;
  }

  get(orderId: string): Order | undefined {
    return this.orders.get(orderId);
  }

  count(status: OrderStatus): number {
    return this.counts[status];
  }

  all(): IterableIterator<Order> {
    return this.orders.values();
  }
}
