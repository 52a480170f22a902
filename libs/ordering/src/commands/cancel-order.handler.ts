import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { Clock } from '../clock';
import type { Order } from '../domain/order';
import { OrderRepository } from '../order.repository';
import { CancelOrderCommand } from './cancel-order.command';

@CommandHandler(CancelOrderCommand)
export class CancelOrderHandler implements ICommandHandler<CancelOrderCommand> {
  constructor(
    private readonly orders: OrderRepository,
    private readonly clock: Clock,
  ) {}

  execute({ orderId, reason, decidedAtVersion }: CancelOrderCommand): Promise<Order> {
    const cancel = () =>
      this.orders.handle(
        { kind: 'cancel', orderId, reason, at: this.clock.now() },
        decidedAtVersion,
      );
    return decidedAtVersion === undefined ? this.orders.decideOnLatest(cancel) : cancel();
  }
}
