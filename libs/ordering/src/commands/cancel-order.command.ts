import { Command } from '@nestjs/cqrs';
import type { CancelReason, Order } from '../domain/order';

export class CancelOrderCommand extends Command<Order> {
  constructor(
    public readonly orderId: string,
    public readonly reason: CancelReason,
  ) {
    super();
  }
}
