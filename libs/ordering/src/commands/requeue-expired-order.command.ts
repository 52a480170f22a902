import { Command } from '@nestjs/cqrs';
import type { Order } from '../domain/order';

/** The order's barista lease ran out: put it back at the front of the queue. */
export class RequeueExpiredOrderCommand extends Command<Order> {
  constructor(public readonly orderId: string) {
    super();
  }
}
