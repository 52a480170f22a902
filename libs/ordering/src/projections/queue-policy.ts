/** QUEUE_POLICY: which queued order a barista gets next. */
export const QUEUE_POLICIES = ['fifo', 'fair'] as const;
export type QueuePolicyName = (typeof QUEUE_POLICIES)[number];

/** The view `GET /start/` asks for the next order: the FIFO queue, or the addresses' round robin. */
export abstract class NextOrder {
  /** The order a barista should take next, if any; left in place. */
  abstract next(): string | undefined;
}
