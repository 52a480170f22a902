import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Clock } from '../clock';
import { RequeueExpiredOrderCommand } from '../commands/requeue-expired-order.command';
import { DomainError } from '../domain/errors';
import { EventStore } from '../event-store/event-store';
import { EventStoreError } from '../event-store/event-store.errors';
import { QueueProjection } from '../projections/queue.projection';
import { BrewLease } from './brew-lease';

/**
 * Requeues orders whose barista lease ran out. Every lease lasts as long, so the earliest
 * started order expires first: one timer, set for it, re-armed after every append. Nothing
 * polls and no order has a timer of its own. The brewing orders come from the queue
 * projection, so after a restart the timer is armed from the replayed log.
 */
@Injectable()
export class LeaseMonitor implements OnModuleDestroy {
  private readonly logger = new Logger(LeaseMonitor.name);
  /** Cancels the one timer, while it is set. */
  private cancelTimer?: () => void;
  private dueAt?: number;
  private readonly unsubscribe: () => void;

  constructor(
    store: EventStore,
    private readonly queue: QueueProjection,
    private readonly commandBus: CommandBus,
    private readonly lease: BrewLease,
    private readonly clock: Clock,
  ) {
    // The store is built before anything that injects it, with its log replayed into the queue.
    this.unsubscribe = store.subscribe(() => this.arm());
    this.arm();
  }

  // Not bridged into the apps, so this runs once, when the core closes.
  onModuleDestroy(): void {
    this.unsubscribe();
    this.cancelTimer?.();
    this.cancelTimer = undefined;
  }

  /** Sets the one timer for the earliest expiry, unless it is already set for it. */
  private arm(): void {
    const oldest = this.queue.brewingByStart().next();
    const dueAt = oldest.done ? undefined : this.lease.expiresAt(oldest.value.startedAt);
    if (dueAt === this.dueAt && this.cancelTimer) return;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.dueAt = dueAt;
    if (dueAt === undefined) return;
    this.cancelTimer = this.clock.after(Math.max(dueAt - this.clock.now(), 1), () =>
      this.requeueExpired(),
    );
  }

  private requeueExpired(): void {
    this.cancelTimer = undefined;
    const startedBy = this.clock.now() - this.lease.ms;
    const expired: string[] = [];
    for (const { orderId, startedAt } of this.queue.brewingByStart()) {
      if (startedAt > startedBy) break;
      expired.push(orderId);
    }
    for (const orderId of expired) {
      this.commandBus.execute(new RequeueExpiredOrderCommand(orderId)).then(
        () => this.logger.warn(`order ${orderId} brewed over ${this.lease.ms} ms: back in front`),
        (error) => {
          // Finished in the meantime, requeued by another instance, the log closing, or the clock
          // moved: the next arm() sorts it out.
          if (!(error instanceof DomainError || error instanceof EventStoreError)) {
            this.logger.error(`requeueing ${orderId} failed: ${String(error)}`);
          }
        },
      );
    }
    this.arm();
  }
}
