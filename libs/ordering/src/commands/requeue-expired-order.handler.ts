import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { Clock } from '../clock';
import type { Order } from '../domain/order';
import { BrewLease } from '../lease/brew-lease';
import { OrderRepository } from '../order.repository';
import { RequeueExpiredOrderCommand } from './requeue-expired-order.command';

@CommandHandler(RequeueExpiredOrderCommand)
export class RequeueExpiredOrderHandler implements ICommandHandler<RequeueExpiredOrderCommand> {
  constructor(
    private readonly orders: OrderRepository,
    private readonly lease: BrewLease,
    private readonly clock: Clock,
  ) {}

  execute({ orderId }: RequeueExpiredOrderCommand): Promise<Order> {
    return this.orders.decideOnLatest(() =>
      this.orders.handle({
        kind: 'requeue',
        orderId,
        leaseMs: this.lease.ms,
        at: this.clock.now(),
      }),
    );
  }
}
