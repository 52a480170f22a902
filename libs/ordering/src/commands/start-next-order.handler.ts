import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { NextOrderClaim } from '../claims/next-order-claim';
import type { Order } from '../domain/order';
import { StartNextOrderCommand } from './start-next-order.command';

@CommandHandler(StartNextOrderCommand)
export class StartNextOrderHandler implements ICommandHandler<StartNextOrderCommand> {
  constructor(private readonly claim: NextOrderClaim) {}

  execute({ barista }: StartNextOrderCommand): Promise<Order> {
    return this.claim.startNext(barista);
  }
}
