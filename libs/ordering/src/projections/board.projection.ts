import { Injectable } from '@nestjs/common';
import { evolve, type Order } from '../domain/order';
import type { InlineProjection, StoredEvent } from '../event-store/event-store';

/** How many ready orders the board shows; older ones leave it. */
export const READY_SHOWN = 20;

/**
 * What the order board shows: every queued and brewing order and the last ready ones, as of
 * `position`. The page starts from this and then follows the stream after `position`, so a
 * screen costs what is on it, not the length of the log.
 */
@Injectable()
export class BoardProjection implements InlineProjection {
  private readonly active = new Map<string, Order>();
  /** Newest first. */
  private ready: Order[] = [];
  private applied = 0;

  /** The last position included. */
  get position(): number {
    return this.applied;
  }

  /** Queued and brewing orders in placement order, then the ready ones, newest first. */
  orders(): Order[] {
    return [...this.active.values(), ...this.ready];
  }

  apply({ position, event }: StoredEvent): void {
    this.applied = position;
    const order = evolve(this.active.get(event.orderId), event);
    if (order.status === 'queued' || order.status === 'brewing') {
      this.active.set(order.orderId, order);
      return;
    }
    this.active.delete(order.orderId);
    if (order.status === 'ready') this.ready = [order, ...this.ready.slice(0, READY_SHOWN - 1)];
  }
}
