import { randomUUID } from 'node:crypto';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { Order } from '../domain/order';
import { Drain } from '../drain/drain';
import { OrderRepository } from '../order.repository';
import { PlaceOrderCommand } from './place-order.command';

@CommandHandler(PlaceOrderCommand)
export class PlaceOrderHandler implements ICommandHandler<PlaceOrderCommand> {
  constructor(
    private readonly orders: OrderRepository,
    private readonly drain: Drain,
  ) {}

  async execute({ drink, clientAddress }: PlaceOrderCommand): Promise<Order> {
    this.drain.assertTakingOrders();
    return this.orders.handle({
      kind: 'place',
      orderId: randomUUID(),
      drink,
      clientAddress,
      at: Date.now(),
    });
  }
}
