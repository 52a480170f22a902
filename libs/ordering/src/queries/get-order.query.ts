import { Query } from '@nestjs/cqrs';
import type { Order } from '../domain/order';

export interface OrderView {
  readonly order: Order;
  /** Place in the queue, 1 being next; only while queued. */
  readonly position?: number;
}

/** One order and its place in the queue. Rejects with OrderNotFound for an unknown id. */
export class GetOrderQuery extends Query<OrderView> {
  constructor(public readonly orderId: string) {
    super();
  }
}

/**
 * The order if this process's views hold it (live or recently settled), else undefined: a map
 * lookup that never reads the log, so that whoever answers can decide whether the log may be
 * read for it (the customer app limits lookups that miss per address).
 */
export class GetHeldOrderQuery extends Query<OrderView | undefined> {
  constructor(public readonly orderId: string) {
    super();
  }
}
