import { Injectable } from '@nestjs/common';
import { decide, evolve, type Order, type OrderCommand } from './domain/order';
import { EventStore } from './event-store/event-store';
import { CafeMetrics } from './metrics/cafe-metrics';
import { OrderStatusProjection } from './projections/order-status.projection';

/** Runs a command against an order and appends what it decided. The one write path of every handler. */
@Injectable()
export class OrderRepository {
  constructor(
    private readonly store: EventStore,
    private readonly orders: OrderStatusProjection,
    private readonly metrics: CafeMetrics,
  ) {}

  /**
   * Decides on this process's view of the order and appends without yielding in between: on an
   * in-process store that makes read-decide-append atomic; a shared log refuses an append
   * decided on a stale view (WrongExpectedVersion). Resolves with the order after the command,
   * once durable.
   */
  async handle(command: OrderCommand): Promise<Order> {
    const { order, version } = this.orders.load(command.orderId);
    const events = decide(command, order);
    const appendTimed = this.metrics.startAppendTimer();
    const appended = this.store.append(command.orderId, events, version);
    const after = events.reduce<Order | undefined>(evolve, order) as Order;
    await appended.finally(appendTimed);
    return after;
  }
}
