import { Command } from '@nestjs/cqrs';
import type { Order } from '../domain/order';
import type { CancelReason } from '../domain/order-status';

export class CancelOrderCommand extends Command<Order> {
  constructor(
    public readonly orderId: string,
    public readonly reason: CancelReason,
  ) {
    super();
  }
}
