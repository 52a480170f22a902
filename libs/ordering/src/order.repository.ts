import { Injectable } from '@nestjs/common';
import { Clock } from './clock';
import { OrderInWrongState, OrderNotFound, QueueEmpty } from './domain/errors';
import { AppendRefused } from './event-store/event-store.errors';
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
    private readonly clock: Clock,
  ) {}

  /**
   * Runs a handler's read-decide-append (`attempt`). On a log only this process writes, the
   * views are never behind and it runs once. On a shared log they may miss another instance's
   * latest appends: a refusal that fresher views could change is retried on caught-up views,
   * while the log keeps refusing because others got there first (they made progress), a few
   * times at most.
   */
  decideOnLatest<T>(attempt: () => Promise<T>): Promise<T> {
    return this.store.sharedLog ? this.retryOnCaughtUp(attempt) : attempt();
  }

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

  /**
   * On a log that claims itself (`startOldestQueued`), starts its oldest queued order, or
   * refuses with QueueEmpty when it has none: no view is consulted, so no catch-up is needed.
   */
  async startOldestInLog(barista?: string): Promise<Order> {
    const appendTimed = this.metrics.startAppendTimer();
    const started = await this.store
      .startOldestQueued?.(this.clock.now(), barista)
      .finally(appendTimed);
    if (!started) throw new QueueEmpty();
    return this.orders.get(started.stream) as Order;
  }

  private async retryOnCaughtUp<T>(attempt: () => Promise<T>): Promise<T> {
    for (let tries = 1; ; tries++) {
      try {
        return await attempt();
      } catch (error) {
        const outrun = error instanceof AppendRefused && tries < MAX_TRIES;
        if (!outrun && !(tries === 1 && mayBeStale(error))) throw error;
        await this.store.caughtUp();
      }
    }
  }
}

/** Each retry follows another instance's successful append, so this bounds only a stampede. */
const MAX_TRIES = 20;

/** Refusals decided on a view that may not have seen another instance's latest events yet. */
function mayBeStale(error: unknown): boolean {
  return (
    error instanceof OrderNotFound ||
    error instanceof OrderInWrongState ||
    error instanceof QueueEmpty
  );
}
