import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { OrderNotFound } from '../domain/errors';
import { OrderStatusProjection } from '../projections/order-status.projection';
import { QueuePolicy } from '../projections/queue-policy';
import { GetOrderQuery, type OrderView } from './get-order.query';

@QueryHandler(GetOrderQuery)
export class GetOrderHandler implements IQueryHandler<GetOrderQuery> {
  constructor(
    private readonly orders: OrderStatusProjection,
    private readonly queue: QueuePolicy,
  ) {}

  async execute({ orderId }: GetOrderQuery): Promise<OrderView> {
    const order = this.orders.get(orderId);
    if (!order) throw new OrderNotFound(orderId);
    return { order, position: this.queue.positionOf(orderId) };
  }
}
