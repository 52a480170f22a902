import { Command } from '@nestjs/cqrs';
import type { Order } from '../domain/order';

export class FinishOrderCommand extends Command<Order> {
  constructor(public readonly orderId: string) {
    super();
  }
}
