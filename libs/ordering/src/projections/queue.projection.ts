import { Injectable } from '@nestjs/common';
import { exhaustive } from '../domain/exhaustive';
import type { InlineProjection, StoredEvent } from '../event-store/event-store';
import { LinkedQueue } from './linked-queue';
import { QueuePolicy } from './queue-policy';

/** When an order was placed, and where in the log: the log, unlike the clock, never ties. */
interface Placement {
  readonly placedAt: number;
  readonly position: number;
}

interface Brewing {
  readonly placement: Placement;
  readonly startedAt: number;
}

/**
 * The orders no barista has started, in placement order, and the orders being brewed in the
 * order they were started, which is the order their leases run out. An order whose lease ran
 * out goes back to its place by placement: the front, since every order placed before it was
 * started before it, behind any older requeued order still waiting.
 */
@Injectable()
export class QueueProjection extends QueuePolicy implements InlineProjection {
  readonly oldestFirst = true;
  private readonly queue = new LinkedQueue<Placement>();
  private readonly brewing = new LinkedQueue<Brewing>();

  apply({ event, position }: StoredEvent): void {
    switch (event.type) {
      case 'OrderPlaced':
        this.queue.pushBack(event.orderId, { placedAt: event.at, position });
        break;
      case 'OrderStarted': {
        // The log holds what decide allowed (domain/order.ts): a started order was queued, a
        // requeued one brewing, so its placement is found where this takes it from.
        const placement = this.queue.take(event.orderId)?.value as Placement;
        this.brewing.pushBack(event.orderId, { placement, startedAt: event.at });
        break;
      }
      case 'OrderRequeued': {
        const { placement } = this.brewing.take(event.orderId)?.value as Brewing;
        // Only requeued orders can be queued ahead of it, so this walks a few entries at most.
        this.queue.insertInOrder(
          event.orderId,
          placement,
          (queued) => queued.position > placement.position,
        );
        break;
      }
      // Still queued, where it was: only who holds its customer changed.
      case 'OrderReattached':
        break;
      // A late finish may come for a requeued order that is back in the queue.
      case 'OrderFinished':
      case 'OrderCancelled':
        this.queue.delete(event.orderId);
        this.brewing.delete(event.orderId);
        break;
      default:
        exhaustive(event);
    }
  }

  /** The order a barista should take next, if any. */
  override next(): string | undefined {
    return this.queue.peek()?.key;
  }

  get size(): number {
    return this.queue.size;
  }

  oldestPlacedAt(): number | undefined {
    return this.queue.peek()?.value.placedAt;
  }

  override positionOf(orderId: string): number | undefined {
    return this.queue.positionOf(orderId);
  }

  /** Queued order ids in the order baristas will take them. */
  ids(): string[] {
    return [...this.queue.keys()];
  }

  /** The orders being brewed, earliest start first. */
  *brewingByStart(): IterableIterator<{ orderId: string; startedAt: number }> {
    for (const { key, value } of this.brewing.entries()) {
      yield { orderId: key, startedAt: value.startedAt };
    }
  }
}
