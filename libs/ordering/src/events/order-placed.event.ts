import type { Drink } from '../domain/drink';

/** A client's Idempotency-Key and a fingerprint of what it asked for under that key. */
export interface IdempotencyClaim {
  readonly key: string;
  readonly fingerprint: string;
}

export class OrderPlaced {
  readonly type = 'OrderPlaced';
  constructor(
    public readonly orderId: string,
    public readonly drink: Drink,
    /** The address the order came from, as resolved at the edge; the flood defence keys on it. */
    public readonly clientAddress: string,
    public readonly at: number,
    /** Kept in the log so that a repeat finds the order again, also after a restart. */
    public readonly idempotency?: IdempotencyClaim,
    /**
     * The café process (`CafeInstance.id`) whose connection holds the customer's request; none
     * when the customer asked not to wait (`Prefer: respond-async`). Once that process is gone,
     * nobody is there to collect the drink (`OrphanedOrders`).
     */
    public readonly heldBy?: string,
  ) {}
}
