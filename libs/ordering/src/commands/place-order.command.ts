import { Command } from '@nestjs/cqrs';
import type { Drink } from '../domain/drink';
import type { Order } from '../domain/order';
import type { IdempotencyClaim } from '../events';

export class PlaceOrderCommand extends Command<Order> {
  constructor(
    public readonly drink: Drink,
    public readonly clientAddress: string,
    /** A repeat of the same claim returns the order the first one placed. */
    public readonly idempotency?: IdempotencyClaim,
    /** Whether this process holds the customer's request until the order is ready. */
    public readonly held = false,
  ) {
    super();
  }
}
