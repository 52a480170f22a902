import type { Drink } from '../domain/drink';

export class OrderPlaced {
  readonly type = 'OrderPlaced';
  constructor(
    public readonly orderId: string,
    public readonly drink: Drink,
    /** The address the order came from, as resolved at the edge; the flood defence keys on it. */
    public readonly clientAddress: string,
    public readonly at: number,
  ) {}
}
