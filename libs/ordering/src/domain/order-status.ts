/**
 * Where an order stands, and why one was cancelled: words that the order's rules, its events and
 * its errors all use, kept in a file that imports nothing so that none of them imports another
 * for them.
 */
export const ORDER_STATUSES = ['queued', 'brewing', 'ready', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];
/**
 * `customer_left`: the customer's connection closed; `flood`: the address was cut off;
 * `holder_died`: the café process holding the customer's request is gone and the order has no
 * Idempotency-Key to come back with; `not_reattached`: it had one, but nobody came back with it
 * within ORPHAN_REATTACH_SECONDS.
 */
export const CANCEL_REASONS = ['customer_left', 'flood', 'holder_died', 'not_reattached'] as const;
export type CancelReason = (typeof CANCEL_REASONS)[number];
