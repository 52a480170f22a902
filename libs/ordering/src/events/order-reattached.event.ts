/**
 * The customer of a queued order came back with its Idempotency-Key and now waits on a connection
 * of another café process than the one named so far (`OrderPlaced.heldBy`, or an earlier
 * re-attach): the one that died, or one that may die later. The log says who holds the customer
 * from here on, so that only that process's death makes the order an orphan, and a survivor's
 * withdrawal decided before it is refused by the stream's version (`OrphanedOrders`).
 */
export class OrderReattached {
  readonly type = 'OrderReattached';
  constructor(
    public readonly orderId: string,
    /** The café process (`CafeInstance.id`) whose connection holds the customer now. */
    public readonly heldBy: string,
    public readonly at: number,
  ) {}
}
