import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { QueueEmpty } from '../domain/errors';
import type { Order } from '../domain/order';
import { OrderRepository } from '../order.repository';
import { QueuePolicy } from '../projections/queue-policy';
import { StartNextOrderCommand } from './start-next-order.command';

@CommandHandler(StartNextOrderCommand)
export class StartNextOrderHandler implements ICommandHandler<StartNextOrderCommand> {
  constructor(
    private readonly queue: QueuePolicy,
    private readonly orders: OrderRepository,
  ) {}

  // Peek and append happen in one synchronous stretch, so two baristas never get the same order:
  // in one process the store refuses nothing, across instances the log refuses the second start.
  execute({ barista }: StartNextOrderCommand): Promise<Order> {
    return this.orders.decideOnLatest(() => {
      const orderId = this.queue.next();
      if (orderId === undefined) return Promise.reject(new QueueEmpty());
      return this.orders.handle({ kind: 'start', orderId, barista, at: Date.now() });
    });
  }
}
