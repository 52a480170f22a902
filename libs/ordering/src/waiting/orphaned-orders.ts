import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { CancelOrderCommand } from '../commands/cancel-order.command';
import { Clock } from '../clock';
import { OrderInWrongState } from '../domain/errors';
import type { CancelReason } from '../domain/order-status';
import { EventStore } from '../event-store/event-store';
import { LOG_SHARED } from '../event-store/event-store.provider';
import { OrderStates } from '../orders/order-states';
import { QueueProjection } from '../projections/queue.projection';
import { CafeInstance } from './cafe-instance';

/** How long an orphaned order with an Idempotency-Key waits for its customer (ORPHAN_REATTACH_SECONDS). */
export const ORPHAN_REATTACH_MS = Symbol('ORPHAN_REATTACH_MS');

/**
 * Queued orders whose customer waited on a connection of a café process that is gone (a crash, a
 * `kill -9`, a restart): nobody can answer that customer, so nobody should brew for them. One
 * without an Idempotency-Key is withdrawn at once (`holder_died`): its customer has no way back
 * to it. One with a key is kept for `reattachMs`, during which its customer may post the key
 * again and wait for it on a new connection; past that, it is withdrawn (`not_reattached`).
 * Orders of a `Prefer: respond-async` customer are held by nobody and stay: the customer polls.
 */
@Injectable()
export class OrphanedOrders implements OnApplicationShutdown {
  private readonly log = new Logger(OrphanedOrders.name);
  /** Orders with a key, waiting for their customer: the timer that withdraws each. */
  private readonly awaiting = new Map<string, () => void>();

  constructor(
    private readonly queue: QueueProjection,
    private readonly statuses: OrderStates,
    private readonly store: EventStore,
    private readonly commandBus: CommandBus,
    private readonly clock: Clock,
    private readonly instance: CafeInstance,
    @Inject(ORPHAN_REATTACH_MS) private readonly reattachMs: number,
    @Inject(LOG_SHARED) private readonly logShared: boolean,
  ) {}

  /**
   * Called once the views are built, before the ports open: on a log no other process writes
   * (memory, SQLite), every instance but this one is gone.
   */
  async start(): Promise<void> {
    this.log.log(`this is instance ${this.instance.id}`);
    if (!this.logShared) await this.withdrawHeldBy((id) => id !== this.instance.id);
  }

  /**
   * Withdraws, or gives their window, the queued orders held by an instance for which `isGone`
   * is true. Every order is looked at once: one already waiting for its customer is left so.
   */
  async withdrawHeldBy(isGone: (instance: string) => boolean): Promise<void> {
    const withdrawn: Promise<void>[] = [];
    for (const orderId of this.queue.ids()) {
      const heldBy = this.statuses.get(orderId)?.heldBy;
      if (heldBy === undefined || !isGone(heldBy) || this.awaiting.has(orderId)) continue;
      const [placed] = await this.store.readStream(orderId);
      if (placed?.event.type === 'OrderPlaced' && placed.event.idempotency !== undefined) {
        this.log.warn(
          `order ${orderId} was held by instance ${heldBy}, which is gone; it has an Idempotency-Key ` +
            `and waits ${this.reattachMs / 1000} s for its customer to post it again`,
        );
        this.awaiting.set(
          orderId,
          this.clock.after(this.reattachMs, () => {
            this.awaiting.delete(orderId);
            void this.withdraw(orderId, heldBy, 'not_reattached');
          }),
        );
      } else {
        withdrawn.push(this.withdraw(orderId, heldBy, 'holder_died'));
      }
    }
    await Promise.all(withdrawn);
  }

  /** The customer of `orderId` came back with its key: the order is theirs again. */
  reattached(orderId: string): void {
    this.awaiting.get(orderId)?.();
    if (this.awaiting.delete(orderId)) this.log.log(`order ${orderId}: its customer came back`);
  }

  onApplicationShutdown(): void {
    for (const cancel of this.awaiting.values()) cancel();
    this.awaiting.clear();
  }

  private async withdraw(orderId: string, heldBy: string, reason: CancelReason): Promise<void> {
    await this.commandBus.execute(new CancelOrderCommand(orderId, reason)).then(
      () =>
        this.log.warn(
          `withdrew order ${orderId} (${reason}): it was held by instance ${heldBy}, which is gone`,
        ),
      (error) => {
        // A barista started it, or another instance withdrew it first: nothing left to do.
        if (!(error instanceof OrderInWrongState)) {
          this.log.error(`withdrawing order ${orderId} failed: ${String(error)}`);
        }
      },
    );
  }
}
