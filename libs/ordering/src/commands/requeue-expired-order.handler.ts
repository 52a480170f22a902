import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { Order } from '../domain/order';
import { BrewLease } from '../lease/brew-lease';
import { OrderRepository } from '../order.repository';
import { RequeueExpiredOrderCommand } from './requeue-expired-order.command';

@CommandHandler(RequeueExpiredOrderCommand)
export class RequeueExpiredOrderHandler implements ICommandHandler<RequeueExpiredOrderCommand> {
  constructor(
    private readonly orders: OrderRepository,
    private readonly lease: BrewLease,
  ) {}

  execute({ orderId }: RequeueExpiredOrderCommand): Promise<Order> {
    return this.orders.decideOnLatest(() =>
      this.orders.handle({ kind: 'requeue', orderId, leaseMs: this.lease.ms, at: Date.now() }),
    );
  }
}
