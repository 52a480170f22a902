/**
 * Where an order stands, and why one was cancelled: words that the order's rules, its events and
 * its errors all use, kept in a file that imports nothing so that none of them imports another
 * for them.
 */
export type OrderStatus = 'queued' | 'brewing' | 'ready' | 'cancelled';
export type CancelReason = 'customer_left' | 'flood';
