/**
 * How much of the café's history a process keeps in memory (issue 17): the live orders always,
 * and of the rest only a bounded window, so that memory follows the orders in the café, not
 * its age. What leaves memory stays in the log on SQLite and PostgreSQL and is read from there
 * when asked; the memory store lets it go (docs/configuration.md).
 */
export class Retention {
  /** Finished or cancelled orders kept in the views, the latest settled: RECENT_ORDERS_KEPT. */
  readonly recentOrders: number = 1_000;
  /** ... and for no longer than this after they settled: RECENT_ORDERS_MAX_AGE_SECONDS. */
  readonly recentOrdersMs: number = 3_600_000;
  /** Events the memory store keeps for /events, besides the live orders' own: EVENTS_KEPT. */
  readonly eventsKept: number = 10_000;
  /** Idempotency-Keys held in memory: IDEMPOTENCY_KEYS_KEPT. */
  readonly idempotencyKeys: number = 100_000;
  /**
   * How long a key held in memory re-attaches: IDEMPOTENCY_KEY_WINDOW_SECONDS. On SQLite and
   * PostgreSQL a key that left memory is still found in the log's own table.
   */
  readonly idempotencyKeyMs: number = 86_400_000;

  constructor(settings: Partial<Retention> = {}) {
    Object.assign(this, settings);
  }
}

/**
 * What a store keeps of the past, in a line for the start banner and GET /health: `eventsKept`
 * of a store that lets older events go (EventStore.eventsKept), undefined for a durable log.
 */
export function historyKept(eventsKept: number | undefined): string {
  return eventsKept === undefined
    ? 'the whole log; in memory the live orders and the latest settled ones'
    : `the live orders and the last ${eventsKept} events only: older orders are let go`;
}
