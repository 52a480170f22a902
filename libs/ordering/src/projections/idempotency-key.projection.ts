import { Injectable } from '@nestjs/common';
import { IdempotencyKeyReused } from '../domain/errors';
import type { IdempotencyClaim } from '../events';
import { exhaustive } from '../domain/exhaustive';
import type { InlineProjection, StoredEvent } from '../event-store/event-store';

/**
 * Idempotency-Key to the order it placed. Inline, so a key is taken the moment its order is
 * appended: a second request with the same key in the same turn already finds it.
 */
@Injectable()
export class IdempotencyKeyProjection implements InlineProjection {
  private readonly claims = new Map<string, { orderId: string; fingerprint: string }>();

  apply({ event }: StoredEvent): void {
    switch (event.type) {
      case 'OrderPlaced':
        if (event.idempotency) {
          const { key, fingerprint } = event.idempotency;
          this.claims.set(key, { orderId: event.orderId, fingerprint });
        }
        break;
      // Only a placement carries a key.
      case 'OrderStarted':
      case 'OrderFinished':
      case 'OrderCancelled':
      case 'OrderRequeued':
        break;
      default:
        exhaustive(event);
    }
  }

  /**
   * The order placed earlier under this key, if any. Throws IdempotencyKeyReused when that
   * order was placed for a different request.
   */
  orderFor({ key, fingerprint }: IdempotencyClaim): string | undefined {
    const earlier = this.claims.get(key);
    if (earlier && earlier.fingerprint !== fingerprint) {
      throw new IdempotencyKeyReused(earlier.orderId);
    }
    return earlier?.orderId;
  }
}
