import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { ServiceClosing } from '../domain/errors';
import { EventStore } from '../event-store/event-store';
import { OrderReadModel } from '../orders/order-states';

/** How a drain ended: every queued and brewing order was dealt with, or time ran out (or the core closed) first. */
export type DrainOutcome = 'served' | 'timed_out';

/**
 * A café closing without dropping the customers it already has: once the drain begins, new
 * orders are refused, while baristas keep working off what is queued or brewing and those
 * customers still get their orders. Not domain state: nothing of it goes into the log.
 */
@Injectable()
export class Drain implements OnModuleDestroy {
  private draining?: Promise<DrainOutcome>;
  private end?: (outcome: DrainOutcome) => void;

  constructor(
    private readonly store: EventStore,
    private readonly orders: OrderReadModel,
  ) {}

  /** False once the drain has begun. */
  get takingOrders(): boolean {
    return this.draining === undefined;
  }

  /** Throws ServiceClosing once the drain has begun: the café takes no new orders. */
  assertTakingOrders(): void {
    if (this.draining) throw new ServiceClosing();
  }

  /**
   * Stops taking orders; resolves once nothing is queued or brewing (at once if so already),
   * or after `timeoutMs`, whichever comes first. Later calls return the first drain.
   */
  begin(timeoutMs: number): Promise<DrainOutcome> {
    this.draining ??= new Promise<DrainOutcome>((resolve) => {
      const timer = setTimeout(() => end('timed_out'), timeoutMs);
      const unsubscribe = this.store.subscribe(() => {
        if (this.idle()) end('served');
      });
      const end = (this.end = (outcome: DrainOutcome) => {
        clearTimeout(timer);
        unsubscribe();
        this.end = undefined;
        resolve(outcome);
      });
      if (this.idle()) end('served');
    });
    return this.draining;
  }

  /** The core is closing under a drain that has not ended: it ends now. */
  onModuleDestroy(): void {
    this.end?.('timed_out');
  }

  private idle(): boolean {
    return this.orders.count('queued') === 0 && this.orders.count('brewing') === 0;
  }
}
