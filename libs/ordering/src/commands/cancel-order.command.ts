import { Command } from '@nestjs/cqrs';
import type { Order } from '../domain/order';
import type { CancelReason } from '../domain/order-status';

export class CancelOrderCommand extends Command<Order> {
  constructor(
    public readonly orderId: string,
    public readonly reason: CancelReason,
    /**
     * The stream's version the cancel was decided at, when it must not outlive a change of the
     * order after that (a withdrawal of an orphan, which a re-attach takes back): appended with
     * this expected version, refused (WrongExpectedVersion) and not retried if the stream moved.
     */
    public readonly decidedAtVersion?: number,
  ) {
    super();
  }
}
