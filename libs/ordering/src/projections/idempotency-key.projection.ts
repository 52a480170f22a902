import { Injectable, Optional } from '@nestjs/common';
import { IdempotencyKeyReused } from '../domain/errors';
import type { IdempotencyClaim } from '../events';
import { exhaustive } from '../domain/exhaustive';
import type { InlineProjection, StoredEvent } from '../event-store/event-store';
import { Retention } from '../retention';

/** The order a key placed, and what it was asked with. */
export interface KeyedOrder {
  readonly orderId: string;
  readonly fingerprint: string;
}

/**
 * Idempotency-Key to the order it placed, for the keys used lately: at most
 * `retention.idempotencyKeys`, none placed longer than `retention.idempotencyKeyMs` before the
 * latest event. Inline, so a key is taken the moment its order is appended: a second request
 * with the same key in the same turn already finds it. A durable store keeps every key in a
 * table of its own as well (EventStore.orderPlacedUnder).
 */
@Injectable()
export class IdempotencyKeyProjection implements InlineProjection {
  /** In placing order, so the oldest leaves first. */
  private readonly claims = new Map<string, KeyedOrder & { placedAt: number }>();
  private readonly retention: Retention;

  constructor(@Optional() retention?: Retention) {
    this.retention = retention ?? new Retention();
  }

  apply({ event }: StoredEvent): void {
    switch (event.type) {
      case 'OrderPlaced':
        if (event.idempotency) {
          const { key, fingerprint } = event.idempotency;
          this.claims.set(key, { orderId: event.orderId, fingerprint, placedAt: event.at });
        }
        break;
      // Only a placement carries a key.
      case 'OrderStarted':
      case 'OrderFinished':
      case 'OrderCancelled':
      case 'OrderRequeued':
      case 'OrderReattached':
        break;
      default:
        exhaustive(event);
    }
    const { idempotencyKeys, idempotencyKeyMs } = this.retention;
    for (const [key, { placedAt }] of this.claims) {
      if (this.claims.size <= idempotencyKeys && placedAt > event.at - idempotencyKeyMs) break;
      this.claims.delete(key);
    }
  }

  /** The order placed under this key that this process holds, if any. */
  held(key: string): KeyedOrder | undefined {
    return this.claims.get(key);
  }
}

/**
 * The order `earlier` placed for this claim's request. Throws IdempotencyKeyReused when that
 * order was placed for a different request.
 */
export function reattach(
  claim: IdempotencyClaim,
  earlier: KeyedOrder | undefined,
): string | undefined {
  if (earlier && earlier.fingerprint !== claim.fingerprint) {
    throw new IdempotencyKeyReused(earlier.orderId);
  }
  return earlier?.orderId;
}
