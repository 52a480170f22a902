import { Injectable } from '@nestjs/common';
import { OrderNotFound, OrderWasCancelled } from '../domain/errors';
import { exhaustive } from '../domain/exhaustive';
import type { Order } from '../domain/order';
import { EventStore } from '../event-store/event-store';
import { OrderHistory } from '../order-history';
import { OrderReadModel } from '../orders/order-states';

interface Waiter {
  resolve(order: Order): void;
  reject(error: Error): void;
}

/**
 * The customer's side of a held request. `onLeave` calls its listener once if the customer goes
 * away before their answer was sent, at once if they already have. A plain callback, not an
 * AbortSignal: each held request would keep an AbortController, its EventTarget and a listener
 * record for as long as it waits (docs/benchmarks.md, held waits).
 */
export interface Departure {
  onLeave(listener: () => void): void;
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
    private readonly orders: OrderReadModel,
    private readonly history: OrderHistory,
  ) {
    // Subscribed for the store's whole life, not in onModuleInit: the HTTP apps receive this
    // instance through CoreBridgeModule, and Nest would run its hooks once per app too.
    store.subscribe((batch) => {
      for (const { event } of batch) {
        switch (event.type) {
          case 'OrderFinished':
            this.release(event.orderId);
            break;
          case 'OrderCancelled': {
            const error = new OrderWasCancelled(event.orderId, event.reason);
            this.settle(event.orderId, (waiter) => waiter.reject(error));
            break;
          }
          // The order is still to be made: its customers keep waiting.
          case 'OrderPlaced':
          case 'OrderStarted':
          case 'OrderRequeued':
          case 'OrderReattached':
            break;
          default:
            exhaustive(event);
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
   * gets cancelled. When the customer leaves first, the wait is forgotten and never settles.
   * `order` is the order as the caller found it, which an order that has left the views (settled
   * long ago, re-attached by its Idempotency-Key) still is.
   */
  waitUntilReady(order: Order, departure?: Departure): Promise<Order> {
    const { orderId } = order;
    return (
      this.settledNow(orderId, order) ??
      new Promise<Order>((resolve, reject) => {
        const forget = this.hold(orderId, { resolve, reject });
        departure?.onLeave(forget);
      })
    );
  }

  /**
   * Resolves once the order is ready or cancelled, after `ms`, or when the customer leaves,
   * whichever comes first: a bounded wait for clients that poll. One timer, no polling loop.
   * Rejects only when the order does not exist or the service is closing.
   */
  async waitAtMost(orderId: string, ms: number, departure: Departure): Promise<void> {
    const settled = this.settledNow(orderId);
    if (settled) {
      await settled.catch(passCancelled);
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const end = () => {
        clearTimeout(timer);
        forget();
        resolve();
      };
      const forget = this.hold(orderId, {
        resolve: end,
        reject: (error) => (error instanceof OrderWasCancelled ? end() : reject(error)),
      });
      const timer = setTimeout(end, ms);
      departure.onLeave(end);
    });
  }

  /** Refuses every current and future wait with `error`: the service is going away. */
  close(error: Error): void {
    this.closedWith = error;
    for (const orderId of [...this.waiters.keys()]) {
      this.settle(orderId, (waiter) => waiter.reject(error));
    }
  }

  private release(orderId: string): void {
    const order = this.orders.get(orderId);
    if (order) this.settle(orderId, (waiter) => waiter.resolve(order));
    else if (this.waiters.has(orderId)) {
      // Finished and let go within one commit group (more settled in it than the views keep).
      this.history.get(orderId).then(
        (found) => this.settle(orderId, (waiter) => waiter.resolve(found)),
        (error: Error) => this.settle(orderId, (waiter) => waiter.reject(error)),
      );
    }
  }

  private settle(orderId: string, release: (waiter: Waiter) => void): void {
    const forOrder = this.waiters.get(orderId);
    if (!forOrder) return;
    this.waiters.delete(orderId);
    this.waiting -= forOrder.size;
    for (const waiter of forOrder) release(waiter);
  }

  /** Undefined when the order is still to be made: the caller holds a waiter for it. */
  private settledNow(orderId: string, found?: Order): Promise<Order> | undefined {
    if (this.closedWith) return Promise.reject(this.closedWith);
    const order = this.orders.get(orderId) ?? found;
    if (!order) return Promise.reject(new OrderNotFound(orderId));
    if (order.status === 'ready') return Promise.resolve(order);
    if (order.status === 'cancelled') {
      return Promise.reject(new OrderWasCancelled(orderId, order.cancelReason ?? 'customer_left'));
    }
    return undefined;
  }

  /** Registers `waiter` for the order; the function returned forgets it (nothing once settled). */
  private hold(orderId: string, waiter: Waiter): () => void {
    let forOrder = this.waiters.get(orderId);
    if (!forOrder) this.waiters.set(orderId, (forOrder = new Set()));
    forOrder.add(waiter);
    this.waiting++;
    return () => this.forget(orderId, waiter);
  }

  private forget(orderId: string, waiter: Waiter): void {
    const forOrder = this.waiters.get(orderId);
    if (!forOrder?.delete(waiter)) return;
    this.waiting--;
    if (forOrder.size === 0) this.waiters.delete(orderId);
  }
}

/** A bounded wait ends the same whether the order was made or cancelled. */
function passCancelled(error: unknown): void {
  if (!(error instanceof OrderWasCancelled)) throw error;
}
