import { Injectable } from '@nestjs/common';
import type { InlineProjection, StoredEvent } from '../event-store/event-store';
import { LinkedQueue } from './linked-queue';
import { NextOrder } from './queue-policy';

/** The orders no barista has started, oldest first. Values are the placement times. */
@Injectable()
export class QueueProjection extends NextOrder implements InlineProjection {
  private readonly queue = new LinkedQueue<number>();

  apply({ event }: StoredEvent): void {
    switch (event.type) {
      case 'OrderPlaced':
        this.queue.pushBack(event.orderId, event.at);
        break;
      case 'OrderStarted':
      case 'OrderCancelled':
        this.queue.delete(event.orderId);
        break;
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
    return this.queue.peek()?.value;
  }

  /** 1 for the order a barista takes next; undefined when the order is not queued. O(position). */
  positionOf(orderId: string): number | undefined {
    if (!this.queue.has(orderId)) return undefined;
    let position = 1;
    for (const key of this.queue.keys()) {
      if (key === orderId) break;
      position++;
    }
    return position;
  }

  /** Queued order ids in the order baristas will take them. */
  ids(): string[] {
    return [...this.queue.keys()];
  }
}
