import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { OrderRepository } from '../order.repository';
import { QueuedByAddressProjection } from '../projections/queued-by-address.projection';
import { CutOffAddressCommand } from './cut-off-address.command';

@CommandHandler(CutOffAddressCommand)
export class CutOffAddressHandler implements ICommandHandler<CutOffAddressCommand> {
  constructor(
    private readonly queued: QueuedByAddressProjection,
    private readonly orders: OrderRepository,
  ) {}

  // Every cancel is read-decide-append in one synchronous stretch, as with any other command, so
  // an order a barista starts meanwhile is never cancelled: it is no longer in the view.
  async execute({ clientAddress }: CutOffAddressCommand): Promise<number> {
    const at = Date.now();
    const cancelled = this.queued
      .queuedFrom(clientAddress)
      .map((orderId) => this.orders.handle({ kind: 'cancel', orderId, reason: 'flood', at }));
    await Promise.all(cancelled);
    return cancelled.length;
  }
}
