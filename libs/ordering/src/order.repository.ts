import { Injectable } from '@nestjs/common';
import { decide, evolve, type Order, type OrderCommand } from './domain/order';
import { EventStore } from './event-store/event-store';
import { CafeMetrics } from './metrics/cafe-metrics';

/** Loads an order from its stream and runs a command against it. The one write path of every handler. */
@Injectable()
export class OrderRepository {
  constructor(
    private readonly store: EventStore,
    private readonly metrics: CafeMetrics,
  ) {}

  load(orderId: string): { order: Order | undefined; version: number } {
    const stream = this.store.readStream(orderId);
    let order: Order | undefined;
    for (const { event } of stream) order = evolve(order, event);
    return { order, version: stream.length };
  }

  /**
   * Decides and appends without yielding in between: with the store's synchronous version check
   * this makes read-decide-append atomic. Resolves with the order after the command, once durable.
   */
  async handle(command: OrderCommand): Promise<Order> {
    const { order, version } = this.load(command.orderId);
    const events = decide(command, order);
    const appendTimed = this.metrics.startAppendTimer();
    const appended = this.store.append(command.orderId, events, version);
    const after = events.reduce<Order | undefined>(evolve, order) as Order;
    await appended.finally(appendTimed);
    return after;
  }
}
