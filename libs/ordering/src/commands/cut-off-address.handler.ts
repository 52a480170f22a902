import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { Clock } from '../clock';
import { AppendRefused } from '../event-store/event-store.errors';
import { OrderRepository } from '../order.repository';
import { QueuedByAddressProjection } from '../projections/queued-by-address.projection';
import { CutOffAddressCommand } from './cut-off-address.command';

@CommandHandler(CutOffAddressCommand)
export class CutOffAddressHandler implements ICommandHandler<CutOffAddressCommand> {
  constructor(
    private readonly queued: QueuedByAddressProjection,
    private readonly orders: OrderRepository,
    private readonly clock: Clock,
  ) {}

  // Every cancel is read-decide-append in one synchronous stretch, as with any other command, so
  // an order a barista starts meanwhile is never cancelled: it is no longer in the view. On a
  // shared log the log refuses a cancel another instance's start or cut-off got in before.
  async execute({ clientAddress }: CutOffAddressCommand): Promise<number> {
    const at = this.clock.now();
    const outcomes = await Promise.allSettled(
      this.queued
        .queuedFrom(clientAddress)
        .map((orderId) => this.orders.handle({ kind: 'cancel', orderId, reason: 'flood', at })),
    );
    let cancelled = 0;
    for (const outcome of outcomes) {
      if (outcome.status === 'fulfilled') cancelled++;
      else if (!(outcome.reason instanceof AppendRefused)) throw outcome.reason;
    }
    return cancelled;
  }
}
