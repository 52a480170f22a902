import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { Clock } from '../clock';
import type { Order } from '../domain/order';
import { OrderRepository } from '../order.repository';
import { FinishOrderCommand } from './finish-order.command';

@CommandHandler(FinishOrderCommand)
export class FinishOrderHandler implements ICommandHandler<FinishOrderCommand> {
  constructor(
    private readonly orders: OrderRepository,
    private readonly clock: Clock,
  ) {}

  execute({ orderId, barista }: FinishOrderCommand): Promise<Order> {
    return this.orders.decideOnLatest(() =>
      this.orders.handle({ kind: 'finish', orderId, barista, at: this.clock.now() }),
    );
  }
}
