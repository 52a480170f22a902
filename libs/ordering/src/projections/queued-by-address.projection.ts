import { Injectable } from '@nestjs/common';
import { exhaustive } from '../domain/exhaustive';
import type { InlineProjection, StoredEvent } from '../event-store/event-store';
import { LinkedQueue } from './linked-queue';
import { QueuePolicy } from './queue-policy';

/**
 * The orders no barista has started, grouped by the address that placed them, oldest first in
 * each group, and the addresses in turn order. It answers two questions in O(1) per order:
 * which orders to cancel when an address is cut off, and, under the fair policy, whose order
 * is next: the address at the front of the turns gives its oldest order, and goes to the back
 * once a barista starts it. An address appears in the turns while it has queued orders; a new
 * one joins at the back.
 */
@Injectable()
export class QueuedByAddressProjection extends QueuePolicy implements InlineProjection {
  readonly oldestFirst = false;
  /** Address -> its queued orders (values: log positions of their placement). */
  private readonly turns = new LinkedQueue<LinkedQueue<number>>();
  /**
   * Queued or brewing order -> the address that placed it and its placement's log position
   * (the later events carry only the id, and a brewing order may be requeued).
   */
  private readonly placements = new Map<string, { address: string; position: number }>();

  apply({ event, position }: StoredEvent): void {
    switch (event.type) {
      case 'OrderPlaced': {
        let orders = this.turns.get(event.clientAddress);
        if (!orders) this.turns.pushBack(event.clientAddress, (orders = new LinkedQueue()));
        orders.pushBack(event.orderId, position);
        this.placements.set(event.orderId, { address: event.clientAddress, position });
        break;
      }
      case 'OrderStarted':
        this.remove(event.orderId, { endTurn: true });
        break;
      case 'OrderRequeued':
        this.requeue(event.orderId);
        break;
      // Still queued, in its turn: only who holds its customer changed.
      case 'OrderReattached':
        break;
      case 'OrderFinished':
      case 'OrderCancelled':
        this.remove(event.orderId, { endTurn: false });
        this.placements.delete(event.orderId);
        break;
      default:
        exhaustive(event);
    }
  }

  override next(): string | undefined {
    return this.turns.peek()?.value.peek()?.key;
  }

  /**
   * Turns go round in a fixed cycle (a served address goes to the back), so before the k-th
   * queued order of an address come up to k - 1 orders of every address, then, in the k-th
   * round, one from each address ahead of it in turn that has k orders. O(addresses).
   */
  override positionOf(orderId: string): number | undefined {
    const address = this.placements.get(orderId)?.address;
    const own = address === undefined ? undefined : this.turns.get(address);
    const k = own?.positionOf(orderId);
    if (k === undefined) return undefined; // brewing, or gone
    let ahead = 0;
    let aheadInTurn = true;
    for (const { key, value: orders } of this.turns.entries()) {
      if (key === address) aheadInTurn = false;
      ahead += Math.min(orders.size, k - 1) + (aheadInTurn && orders.size >= k ? 1 : 0);
    }
    return ahead + 1;
  }

  /** The queued orders of one address, oldest first. */
  queuedFrom(clientAddress: string): string[] {
    const orders = this.turns.get(clientAddress);
    return orders ? [...orders.keys()] : [];
  }

  private remove(orderId: string, { endTurn }: { endTurn: boolean }): void {
    const { address } = this.placements.get(orderId) ?? {};
    const orders = address === undefined ? undefined : this.turns.get(address);
    if (address === undefined || !orders?.delete(orderId)) return;
    if (orders.size === 0) this.turns.delete(address);
    else if (endTurn) {
      this.turns.delete(address);
      this.turns.pushBack(address, orders);
    }
  }

  /**
   * A lease ran out: the order goes back among its address's orders by placement (ahead of the
   * ones placed after it), and an address that had no turn left gets the next one.
   */
  private requeue(orderId: string): void {
    const { address, position } = this.placements.get(orderId) as {
      address: string;
      position: number;
    };
    let orders = this.turns.get(address);
    if (!orders)
      this.turns.insertBefore(this.turns.peek()?.key, address, (orders = new LinkedQueue()));
    orders.insertInOrder(orderId, position, (queued) => queued > position);
  }
}
