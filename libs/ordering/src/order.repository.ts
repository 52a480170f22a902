import { Injectable } from '@nestjs/common';
import { OrderInWrongState, OrderNotFound, QueueEmpty } from './domain/errors';
import { AppendRefused } from './event-store/event-store.errors';
import { decide, evolve, type Order, type OrderCommand } from './domain/order';
import { EventStore } from './event-store/event-store';
import { CafeMetrics } from './metrics/cafe-metrics';
import { OrderHistory } from './order-history';
import { OrderDecisionState } from './orders/order-states';

/** Runs a command against an order and appends what it decided. The one write path of every handler. */
@Injectable()
export class OrderRepository {
  constructor(
    private readonly store: EventStore,
    private readonly orders: OrderDecisionState,
    private readonly history: OrderHistory,
    private readonly metrics: CafeMetrics,
  ) {}

  /**
   * Runs a handler's read-decide-append (`attempt`). A refusal that fresher views could change
   * is retried once on caught-up views, and a refusal by the log (another writer got there
   * first: it made progress) a few times at most. On a log only this process writes the views
   * are never behind: nothing is refused by the log, and a retried refusal is refused again.
   */
  async decideOnLatest<T>(attempt: () => Promise<T>): Promise<T> {
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

  /**
   * Decides on this process's view of the order and appends without yielding in between: on an
   * in-process store that makes read-decide-append atomic; a shared log refuses an append
   * decided on a stale view (WrongExpectedVersion). Resolves with the order after the command,
   * once durable. An order the views no longer hold is settled (or on a shared log, perhaps
   * just placed elsewhere): it is read from the log, and the command decided on it.
   * `expectedVersion` appends against a version the caller saw before instead: the command
   * holds only if nothing happened to the order since.
   */
  async handle(command: OrderCommand, expectedVersion?: number): Promise<Order> {
    let { order, version } = this.orders.load(command.orderId);
    if (!order && command.kind !== 'place') {
      ({ order, version } = await this.history.find(command.orderId));
      if (!order) throw this.history.notFound(command.orderId);
    }
    const events = decide(command, order);
    const appendTimed = this.metrics.startAppendTimer();
    const appended = this.store.append(command.orderId, events, expectedVersion ?? version);
    const after = events.reduce<Order | undefined>(evolve, order) as Order;
    await appended.finally(appendTimed);
    return after;
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
