import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { EventStore } from '../event-store/event-store';
import { OrderHistory } from '../order-history';
import { OrderStates } from '../orders/order-states';
import { QueuePolicy } from '../projections/queue-policy';
import { GetOrderQuery, type OrderView } from './get-order.query';

@QueryHandler(GetOrderQuery)
export class GetOrderHandler implements IQueryHandler<GetOrderQuery> {
  constructor(
    private readonly orders: OrderStates,
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
    const order = await this.history.get(orderId);
    return { order, position: this.queue.positionOf(orderId) };
  }
}
