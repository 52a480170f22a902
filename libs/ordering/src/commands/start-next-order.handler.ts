import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { Clock } from '../clock';
import { QueueEmpty } from '../domain/errors';
import type { Order } from '../domain/order';
import { EventStore } from '../event-store/event-store';
import { OrderRepository } from '../order.repository';
import { QueuePolicy } from '../projections/queue-policy';
import { StartNextOrderCommand } from './start-next-order.command';

@CommandHandler(StartNextOrderCommand)
export class StartNextOrderHandler implements ICommandHandler<StartNextOrderCommand> {
  constructor(
    private readonly queue: QueuePolicy,
    private readonly orders: OrderRepository,
    private readonly store: EventStore,
    private readonly clock: Clock,
  ) {}

  execute({ barista }: StartNextOrderCommand): Promise<Order> {
    // A shared log picks the oldest order itself (docs/adr/0012); the fair policy's round robin
    // is decided on the views, and a start decided on a stale one is refused and decided again.
    if (this.queue.oldestFirst && this.store.startOldestQueued) return this.startInLog(barista);
    // Peek and append happen in one synchronous stretch, so two baristas never get the same order.
    return this.orders.decideOnLatest(() => {
      const orderId = this.queue.next();
      if (orderId === undefined) return Promise.reject(new QueueEmpty());
      return this.orders.handle({ kind: 'start', orderId, barista, at: this.clock.now() });
    });
  }

  private async startInLog(barista?: string): Promise<Order> {
    // Baristas poll an empty queue: each poll must not cost a transaction. The views, caught up
    // once (one read shared by the polls of the moment), say whether there is anything to claim.
    if (this.queue.next() === undefined) {
      await this.store.caughtUp();
      if (this.queue.next() === undefined) throw new QueueEmpty();
    }
    return this.orders.startOldestInLog(barista);
  }
}
