import { Command } from '@nestjs/cqrs';
import type { Order } from '../domain/order';

export class FinishOrderCommand extends Command<Order> {
  /** `barista`: the name their token gave, recorded on OrderFinished; none when the app is open. */
  constructor(
    public readonly orderId: string,
    public readonly barista?: string,
  ) {
    super();
  }
}
