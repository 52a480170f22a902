import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { Order } from '../domain/order';
import { EventStore } from '../event-store/event-store';
import { OrderHistory } from '../order-history';
import { OrderReadModel } from '../orders/order-states';
import { QueuePolicy } from '../projections/queue-policy';
import { GetHeldOrderQuery, GetOrderQuery, type OrderView } from './get-order.query';

@QueryHandler(GetOrderQuery)
export class GetOrderHandler implements IQueryHandler<GetOrderQuery> {
  constructor(
    private readonly orders: OrderReadModel,
    private readonly history: OrderHistory,
    private readonly queue: QueuePolicy,
    private readonly store: EventStore,
  ) {}

  async execute({ orderId }: GetOrderQuery): Promise<OrderView> {
    if (!this.orders.get(orderId)) {
      // Placed on another instance a moment ago, perhaps: one catch-up read (shared by every
      // caller at that moment, so unknown ids cannot multiply reads), at once on a log only
      // this process writes. Then, if the views still lack it, its stream in the log.
      await this.store.caughtUp();
    }
    return viewOf(await this.history.get(orderId), this.queue);
  }
}

@QueryHandler(GetHeldOrderQuery)
export class GetHeldOrderHandler implements IQueryHandler<GetHeldOrderQuery> {
  constructor(
    private readonly orders: OrderReadModel,
    private readonly queue: QueuePolicy,
  ) {}

  async execute({ orderId }: GetHeldOrderQuery): Promise<OrderView | undefined> {
    const order = this.orders.get(orderId);
    return order && viewOf(order, this.queue);
  }
}

function viewOf(order: Order, queue: QueuePolicy): OrderView {
  return { order, position: queue.positionOf(order.orderId) };
}
