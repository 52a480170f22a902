import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { OrderNotFound } from '../domain/errors';
import { EventStore } from '../event-store/event-store';
import { OrderStatusProjection } from '../projections/order-status.projection';
import { QueuePolicy } from '../projections/queue-policy';
import { GetOrderQuery, type OrderView } from './get-order.query';

@QueryHandler(GetOrderQuery)
export class GetOrderHandler implements IQueryHandler<GetOrderQuery> {
  constructor(
    private readonly orders: OrderStatusProjection,
    private readonly queue: QueuePolicy,
    private readonly store: EventStore,
  ) {}

  async execute({ orderId }: GetOrderQuery): Promise<OrderView> {
    let order = this.orders.get(orderId);
    if (!order && this.store.sharedLog) {
      // Placed on another instance a moment ago, perhaps: one catch-up read (shared by every
      // caller at that moment, so unknown ids cannot multiply reads) before answering 404.
      await this.store.caughtUp();
      order = this.orders.get(orderId);
    }
    if (!order) throw new OrderNotFound(orderId);
    return { order, position: this.queue.positionOf(orderId) };
  }
}
