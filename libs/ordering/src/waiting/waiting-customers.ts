import { Injectable } from '@nestjs/common';
import { OrderNotFound, OrderWasCancelled } from '../domain/errors';
import type { Order } from '../domain/order';
import { EventStore } from '../event-store/event-store';
import { OrderStatusProjection } from '../projections/order-status.projection';

interface Waiter {
  resolve(order: Order): void;
  reject(error: Error): void;
}

/**
 * Customers holding a request open until their order is ready. Not domain state: a registry of
 * pending replies, released by OrderFinished (or refused by OrderCancelled). A wait holds no
 * timer and polls nothing: it is one promise per customer.
 */
@Injectable()
export class WaitingCustomers {
  private readonly waiters = new Map<string, Set<Waiter>>();
  private closedWith?: Error;
  private waiting = 0;

  constructor(
    store: EventStore,
    private readonly orders: OrderStatusProjection,
  ) {
    // Subscribed for the store's whole life, not in onModuleInit: the HTTP apps receive this
    // instance through CoreBridgeModule, and Nest would run its hooks once per app too.
    store.subscribe((batch) => {
      for (const { event } of batch) {
        if (event.type === 'OrderFinished') {
          const order = this.orders.get(event.orderId) as Order;
          this.settle(event.orderId, (waiter) => waiter.resolve(order));
        } else if (event.type === 'OrderCancelled') {
          const error = new OrderWasCancelled(event.orderId, event.reason);
          this.settle(event.orderId, (waiter) => waiter.reject(error));
        }
      }
    });
  }

  /** How many customers are waiting right now. */
  get size(): number {
    return this.waiting;
  }

  /**
   * Resolves with the order once it is ready (at once if it already is); rejects if it is or
   * gets cancelled. When `departure` aborts first, the wait is forgotten and never settles.
   */
  waitUntilReady(orderId: string, departure?: AbortSignal): Promise<Order> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    const order = this.orders.get(orderId);
    if (!order) return Promise.reject(new OrderNotFound(orderId));
    if (order.status === 'ready') return Promise.resolve(order);
    if (order.status === 'cancelled') {
      return Promise.reject(new OrderWasCancelled(orderId, order.cancelReason ?? 'customer_left'));
    }
    return new Promise<Order>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject };
      let forOrder = this.waiters.get(orderId);
      if (!forOrder) this.waiters.set(orderId, (forOrder = new Set()));
      forOrder.add(waiter);
      this.waiting++;
      departure?.addEventListener('abort', () => this.forget(orderId, waiter), { once: true });
    });
  }

  /**
   * Resolves once the order is ready or cancelled, after `ms`, or when `departure` aborts,
   * whichever comes first: a bounded wait for clients that poll. One timer, no polling loop.
   * Rejects only when the order does not exist or the service is closing.
   */
  async waitAtMost(orderId: string, ms: number, departure: AbortSignal): Promise<void> {
    if (departure.aborted) return;
    const stop = new AbortController();
    const stopWaiting = () => stop.abort();
    const timer = setTimeout(stopWaiting, ms);
    departure.addEventListener('abort', stopWaiting, { once: true });
    const stopped = new Promise<void>((resolve) =>
      stop.signal.addEventListener('abort', () => resolve(), { once: true }),
    );
    try {
      await Promise.race([this.waitUntilReady(orderId, stop.signal), stopped]);
    } catch (error) {
      if (!(error instanceof OrderWasCancelled)) throw error;
    } finally {
      clearTimeout(timer);
      departure.removeEventListener('abort', stopWaiting);
      stopWaiting(); // forgets the waiter if the time ran out first
    }
  }

  /** Refuses every current and future wait with `error`: the service is going away. */
  close(error: Error): void {
    this.closedWith = error;
    for (const orderId of [...this.waiters.keys()]) {
      this.settle(orderId, (waiter) => waiter.reject(error));
    }
  }

  private settle(orderId: string, release: (waiter: Waiter) => void): void {
    const forOrder = this.waiters.get(orderId);
    if (!forOrder) return;
    this.waiters.delete(orderId);
    this.waiting -= forOrder.size;
    for (const waiter of forOrder) release(waiter);
  }

  private forget(orderId: string, waiter: Waiter): void {
    const forOrder = this.waiters.get(orderId);
    if (!forOrder?.delete(waiter)) return;
    this.waiting--;
    if (forOrder.size === 0) this.waiters.delete(orderId);
  }
}
