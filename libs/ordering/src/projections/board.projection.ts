import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { evolve, type Order } from '../domain/order';
import { EventStore, type StoredEvent } from '../event-store/event-store';

/** How many ready orders the board shows; older ones leave it. */
export const READY_SHOWN = 20;

/**
 * What the order board shows: every queued and brewing order and the last ready ones, as of
 * `position`. The page starts from this and then follows the stream after `position`, so a
 * screen costs what is on it, not the length of the log. It follows durable events only, so
 * its position never runs ahead of what a reader may be told.
 */
@Injectable()
export class BoardProjection implements OnModuleInit, OnModuleDestroy {
  private readonly active = new Map<string, Order>();
  /** Newest first. */
  private ready: Order[] = [];
  private applied = 0;
  private unsubscribe?: () => void;

  constructor(private readonly store: EventStore) {}

  onModuleInit(): void {
    for (const stored of this.store.readAll()) this.apply(stored);
    this.unsubscribe = this.store.subscribe((batch) => batch.forEach((s) => this.apply(s)));
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  /** The last position included. */
  get position(): number {
    return this.applied;
  }

  /** Queued and brewing orders in placement order, then the ready ones, newest first. */
  orders(): Order[] {
    return [...this.active.values(), ...this.ready];
  }

  private apply({ position, event }: StoredEvent): void {
    // The replay at start may already have read a batch that is announced afterwards.
    if (position <= this.applied) return;
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
