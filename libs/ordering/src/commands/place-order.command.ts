import { Command } from '@nestjs/cqrs';
import type { Drink } from '../domain/drink';
import type { Order } from '../domain/order';

export class PlaceOrderCommand extends Command<Order> {
  constructor(
    public readonly drink: Drink,
    public readonly clientAddress: string,
  ) {
    super();
  }
}
