import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { CancelOrderCommand } from '../commands/cancel-order.command';
import { Clock } from '../clock';
import { OrderInWrongState } from '../domain/errors';
import { type Order, places } from '../domain/order';
import type { CancelReason } from '../domain/order-status';
import { EventStore } from '../event-store/event-store';
import { WrongExpectedVersion } from '../event-store/event-store.errors';
import { orderOf } from '../order-history';
import { OrderReadModel } from '../orders/order-states';
import { QueueProjection } from '../projections/queue.projection';
import { CafeInstance, InstanceLiveness } from './cafe-instance';

/** How long an orphaned order with an Idempotency-Key waits for its customer (ORPHAN_REATTACH_SECONDS). */
export const ORPHAN_REATTACH_MS = Symbol('ORPHAN_REATTACH_MS');

/** How often an instance of a fleet says it is alive and looks for the orders of those that are not. */
const FLEET_SWEEP_MS = 5_000;

/**
 * Queued orders whose customer waited on a connection of a café process that is gone (a crash, a
 * `kill -9`, a restart): nobody can answer that customer, so nobody should brew for them. One
 * without an Idempotency-Key is withdrawn at once (`holder_died`): its customer has no way back
 * to it. One with a key is kept for `reattachMs`, during which its customer may post the key
 * again and wait for it on a new connection, here or on another instance (OrderReattached names
 * the new holder); past that, it is withdrawn (`not_reattached`). Each withdrawal is appended
 * against the stream's version read when the orphan was found, so a re-attach in between, a
 * barista's start, or another survivor's withdrawal of the same order refuses it: the log, not
 * a note kept by whichever process was re-posted to, decides. Orders of a `Prefer:
 * respond-async` customer are held by nobody and stay: the customer polls. In a fleet (a shared
 * log), every instance says it is alive every few seconds, and each one does this for the
 * orders of an instance not heard of for 30 s.
 */
@Injectable()
export class OrphanedOrders implements OnApplicationShutdown {
  private readonly log = new Logger(OrphanedOrders.name);
  /** Orders with a key, waiting for their customer: the timer that withdraws each (if nobody came). */
  private readonly awaiting = new Map<string, () => void>();
  private stopSweeping?: () => void;
  private closed = false;

  constructor(
    private readonly queue: QueueProjection,
    private readonly statuses: OrderReadModel,
    private readonly store: EventStore,
    private readonly commandBus: CommandBus,
    private readonly clock: Clock,
    private readonly instance: CafeInstance,
    private readonly liveness: InstanceLiveness,
    @Inject(ORPHAN_REATTACH_MS) private readonly reattachMs: number,
  ) {}

  /**
   * Called once the views are built, before the ports open: withdraws what instances that are
   * gone held (on a log no other process writes, every instance but this one), then, in a fleet,
   * does so again every few seconds.
   */
  async start(): Promise<void> {
    this.log.log(`this is instance ${this.instance.id}`);
    await this.sweep();
    if (!this.liveness.shared) return;
    const again = () => {
      if (this.closed) return;
      this.stopSweeping = this.clock.after(FLEET_SWEEP_MS, () => {
        this.sweep().then(again, (error) => {
          // PostgreSQL unreachable: no order can be withdrawn either; the next round retries.
          this.log.debug(`looking for instances that are gone failed: ${String(error)}`);
          again();
        });
      });
    };
    again();
  }

  private async sweep(): Promise<void> {
    const alive = await this.liveness.alive(this.instance.id);
    await this.withdrawHeldBy((id) => !alive.has(id));
  }

  /**
   * Withdraws the queued orders held by an instance for which `isGone` is true, those with a key
   * once their window passed. One already waiting for its customer is left so.
   */
  private async withdrawHeldBy(isGone: (instance: string) => boolean): Promise<void> {
    const withdrawn: Promise<void>[] = [];
    const orphaned = (order?: Order): order is Order & { heldBy: string } =>
      order?.status === 'queued' && order.heldBy !== undefined && isGone(order.heldBy);
    for (const orderId of this.queue.ids()) {
      if (this.awaiting.has(orderId) || !orphaned(this.statuses.get(orderId))) continue;
      // The log's word, and the version the withdrawal is decided at: this instance's view may
      // not have seen a re-attach yet.
      const stream = await this.store.readStream(orderId);
      const { order, version } = orderOf(stream);
      if (!orphaned(order)) continue;
      const { heldBy } = order;
      const [placed] = stream;
      if (placed !== undefined && places(placed.event) && placed.event.idempotency !== undefined) {
        this.log.warn(
          `order ${orderId} was held by instance ${heldBy}, which is gone; it has an Idempotency-Key ` +
            `and waits ${this.reattachMs / 1000} s for its customer to post it again`,
        );
        this.awaiting.set(
          orderId,
          this.clock.after(this.reattachMs, () => {
            this.awaiting.delete(orderId);
            void this.withdraw(orderId, heldBy, 'not_reattached', version);
          }),
        );
      } else {
        withdrawn.push(this.withdraw(orderId, heldBy, 'holder_died', version));
      }
    }
    await Promise.all(withdrawn);
  }

  onApplicationShutdown(): void {
    this.closed = true;
    this.stopSweeping?.();
    for (const cancel of this.awaiting.values()) cancel();
    this.awaiting.clear();
  }

  private async withdraw(
    orderId: string,
    heldBy: string,
    reason: CancelReason,
    version: number,
  ): Promise<void> {
    await this.commandBus.execute(new CancelOrderCommand(orderId, reason, version)).then(
      () =>
        this.log.warn(
          `withdrew order ${orderId} (${reason}): it was held by instance ${heldBy}, which is gone`,
        ),
      (error) => {
        // Its customer came back, a barista started it, or another survivor withdrew it first:
        // nothing left to do.
        if (!(error instanceof WrongExpectedVersion || error instanceof OrderInWrongState)) {
          this.log.error(`withdrawing order ${orderId} failed: ${String(error)}`);
        }
      },
    );
  }
}
