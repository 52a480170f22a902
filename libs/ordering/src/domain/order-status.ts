/**
 * Where an order stands, and why one was cancelled: words that the order's rules, its events and
 * its errors all use, kept in a file that imports nothing so that none of them imports another
 * for them.
 */
export const ORDER_STATUSES = ['queued', 'brewing', 'ready', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];
export const CANCEL_REASONS = ['customer_left', 'flood'] as const;
export type CancelReason = (typeof CANCEL_REASONS)[number];
