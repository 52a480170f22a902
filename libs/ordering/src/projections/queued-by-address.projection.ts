import { Injectable } from '@nestjs/common';
import type { InlineProjection, StoredEvent } from '../event-store/event-store';
import { LinkedQueue } from './linked-queue';
import { NextOrder } from './queue-policy';

/**
 * The orders no barista has started, grouped by the address that placed them, oldest first in
 * each group, and the addresses in turn order. It answers two questions in O(1) per order:
 * which orders to cancel when an address is cut off, and, under the fair policy, whose order
 * is next: the address at the front of the turns gives its oldest order, and goes to the back
 * once a barista starts it. An address appears in the turns while it has queued orders; a new
 * one joins at the back.
 */
@Injectable()
export class QueuedByAddressProjection extends NextOrder implements InlineProjection {
  /** Address -> its queued orders (values: placement times). */
  private readonly turns = new LinkedQueue<LinkedQueue<number>>();
  /** Queued order -> the address that placed it (OrderStarted and OrderCancelled carry only the id). */
  private readonly addressOf = new Map<string, string>();

  apply({ event }: StoredEvent): void {
    switch (event.type) {
      case 'OrderPlaced': {
        let orders = this.turns.get(event.clientAddress);
        if (!orders) this.turns.pushBack(event.clientAddress, (orders = new LinkedQueue()));
        orders.pushBack(event.orderId, event.at);
        this.addressOf.set(event.orderId, event.clientAddress);
        break;
      }
      case 'OrderStarted':
        this.remove(event.orderId, { endTurn: true });
        break;
      case 'OrderCancelled':
        this.remove(event.orderId, { endTurn: false });
        break;
    }
  }

  override next(): string | undefined {
    return this.turns.peek()?.value.peek()?.key;
  }

  /** The queued orders of one address, oldest first. */
  queuedFrom(clientAddress: string): string[] {
    const orders = this.turns.get(clientAddress);
    return orders ? [...orders.keys()] : [];
  }

  private remove(orderId: string, { endTurn }: { endTurn: boolean }): void {
    const address = this.addressOf.get(orderId);
    if (address === undefined) return;
    this.addressOf.delete(orderId);
    const orders = this.turns.get(address) as LinkedQueue<number>;
    orders.delete(orderId);
    if (orders.size === 0) this.turns.delete(address);
    else if (endTurn) {
      this.turns.delete(address);
      this.turns.pushBack(address, orders);
    }
  }
}
