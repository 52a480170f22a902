import { Injectable } from '@nestjs/common';
import { OrderNotFound } from './domain/errors';
import { evolve, type Order } from './domain/order';
import { EventStore, type StoredEvent } from './event-store/event-store';
import { OrderDecisionState, OrderReadModel } from './orders/order-states';

/** An order as it stands and how many events its stream holds (0: no such order). */
export interface FoundOrder {
  readonly order: Order | undefined;
  readonly version: number;
}

/**
 * Any order, live or long settled: from the views while they hold it, else from its own stream
 * in the log (a handful of events, read by stream). The views keep only the live orders and a
 * window of recent ones (docs/adr/0013), so this is how everything else is answered.
 */
@Injectable()
export class OrderHistory {
  constructor(
    private readonly store: EventStore,
    private readonly decisions: OrderDecisionState,
    private readonly reads: OrderReadModel,
  ) {}

  /** For the write side: the order and the version to append against. */
  async find(orderId: string): Promise<FoundOrder> {
    const held = this.decisions.load(orderId);
    if (held.order) return held;
    return this.fromLog(orderId);
  }

  /** For readers: the order, or OrderNotFound saying how much of the past this café keeps. */
  async get(orderId: string): Promise<Order> {
    const order = this.reads.get(orderId) ?? (await this.fromLog(orderId)).order;
    if (!order) throw this.notFound(orderId);
    return order;
  }

  notFound(orderId: string): OrderNotFound {
    return new OrderNotFound(orderId, this.store.eventsKept);
  }

  private async fromLog(orderId: string): Promise<FoundOrder> {
    return orderOf(await this.store.readStream(orderId));
  }
}

/** Folds a stream into its order. */
export function orderOf(stream: readonly StoredEvent[]): FoundOrder {
  return {
    order: stream.reduce<Order | undefined>((order, { event }) => evolve(order, event), undefined),
    version: stream.length,
  };
}
