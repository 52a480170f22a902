/** QUEUE_POLICY: which queued order a barista gets next. */
export const QUEUE_POLICIES = ['fifo', 'fair'] as const;
export type QueuePolicyName = (typeof QUEUE_POLICIES)[number];

/**
 * The queue as the configured policy orders it: the FIFO queue, or the addresses' round robin.
 * `GET /start/` takes its next order; `GET /orders/{id}` reports an order's place in it.
 */
export abstract class QueuePolicy {
  /** Whether the next order is simply the oldest queued one (fifo), which a shared log can pick itself. */
  abstract readonly oldestFirst: boolean;

  /** The order a barista should take next, if any; left in place. */
  abstract next(): string | undefined;

  /** 1 for the order a barista takes next; undefined when the order is not queued. */
  abstract positionOf(orderId: string): number | undefined;
}
