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
