import { Injectable } from '@nestjs/common';
import type { InlineProjection, StoredEvent } from '../event-store/event-store';
import { LinkedQueue } from './linked-queue';

interface Brewing {
  readonly placedAt: number;
  readonly startedAt: number;
}

/**
 * The orders no barista has started, oldest first (values are the placement times), and the
 * orders being brewed in the order they were started, which is the order their leases run out.
 * An order whose lease ran out goes back to its place by placement time: the front, since every
 * order placed before it was started before it, behind any older requeued order still waiting.
 */
@Injectable()
export class QueueProjection implements InlineProjection {
  private readonly queue = new LinkedQueue<number>();
  private readonly brewing = new LinkedQueue<Brewing>();

  apply({ event }: StoredEvent): void {
    switch (event.type) {
      case 'OrderPlaced':
        this.queue.pushBack(event.orderId, event.at);
        break;
      case 'OrderStarted': {
        // The log is trusted: only a queued order can be started, only a brewing one requeued.
        const placedAt = this.queue.take(event.orderId)?.value as number;
        this.brewing.pushBack(event.orderId, { placedAt, startedAt: event.at });
        break;
      }
      case 'OrderRequeued': {
        const { placedAt } = this.brewing.take(event.orderId)?.value as Brewing;
        this.queue.insertBefore(this.firstPlacedAfter(placedAt), event.orderId, placedAt);
        break;
      }
      // A late finish may come for a requeued order that is back in the queue.
      case 'OrderFinished':
      case 'OrderCancelled':
        this.queue.delete(event.orderId);
        this.brewing.delete(event.orderId);
        break;
    }
  }

  /** The order a barista should take next, if any. */
  next(): string | undefined {
    return this.queue.peek()?.key;
  }

  get size(): number {
    return this.queue.size;
  }

  oldestPlacedAt(): number | undefined {
    return this.queue.peek()?.value;
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

  /** Only requeued orders can be queued ahead of it, so this walks a few entries at most. */
  private firstPlacedAfter(placedAt: number): string | undefined {
    for (const { key, value } of this.queue.entries()) if (value > placedAt) return key;
    return undefined;
  }
}
