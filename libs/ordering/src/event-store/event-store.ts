import type { OrderEvent } from '../events';
import type { KeyedOrder } from '../projections/idempotency-key.projection';

/** An event as the log holds it. Positions are global and start at 1; versions count within a stream. */
export interface StoredEvent {
  readonly position: number;
  readonly stream: string;
  readonly version: number;
  readonly event: OrderEvent;
}

/**
 * A view of this process, fed every event of the log in position order, each exactly once:
 * the log's history when the store opens, then every event this process appends or (on a
 * shared log) sees another instance append. Commands read these views to decide.
 */
export interface InlineProjection {
  apply(stored: StoredEvent): void;
}

export type EventListener = (batch: readonly StoredEvent[]) => void;

/**
 * The port every adapter implements. Callers get it injected and never ask which adapter it
 * is: what differs by adapter is chosen once, in `event-store.provider.ts`. One stream per
 * order, named by the order id.
 *
 * What every adapter guarantees: an append is all or nothing and lands only if its stream is
 * at the expected version (else WrongExpectedVersion), whoever else appends, in this process or
 * another; positions are global and a reader never sees a later position before an earlier one;
 * the inline projections and the listeners get every event in position order, once.
 *
 * What only the in-process adapters (memory, SQLite) add: the version check, the position and
 * the inline projections run synchronously inside `append`, so a command that reads a view and
 * appends in one synchronous stretch cannot interleave with another command. A shared log
 * (PostgreSQL) decides in the database instead: its views may be behind another instance's
 * appends, and a command decided on a stale view is refused with WrongExpectedVersion.
 *
 * The adapters share no base class: each implements this port and holds a LiveLog
 * (`live-log.ts`), the one place that keeps what the process holds of the log (the live
 * streams, the memory store's latest events, the head), feeds the inline projections and tells
 * the listeners. What differs is each adapter's own: when an event enters the LiveLog (memory
 * and SQLite inside `append`, PostgreSQL once committed, by its follower) and where the past is
 * read from (memory: the LiveLog's latest events; SQLite, PostgreSQL: the log on disk).
 * `event-store.contract.spec.ts` runs the same cases against every adapter.
 */
export abstract class EventStore {
  /**
   * How many of the latest events this adapter keeps besides the live orders' streams, when it
   * lets older ones go (the memory store); undefined when the log keeps every event. Said in
   * the start banner, GET /health and the 404 of an order it no longer has.
   */
  readonly eventsKept?: number;

  /**
   * Appends `events` to `stream` if the stream is at `expectedVersion` (0: the stream must not
   * exist yet). The promise settles once the events are durable and the inline projections
   * include them; listeners are told then. Rejects with WrongExpectedVersion when the stream
   * moved on.
   */
  abstract append(
    stream: string,
    events: readonly OrderEvent[],
    expectedVersion: number,
  ): Promise<readonly StoredEvent[]>;

  /**
   * The order an Idempotency-Key placed, from the store's own table of keys (SQLite,
   * PostgreSQL: every key the log holds); the memory store keeps its keys in the view only
   * (IdempotencyKeyProjection) and answers nothing.
   */
  abstract orderPlacedUnder(key: string): Promise<KeyedOrder | undefined>;

  /** The events of one stream, oldest first. */
  abstract readStream(stream: string): Promise<readonly StoredEvent[]>;

  /** Up to `limit` events of the whole log from `fromPosition` (inclusive), oldest first. */
  abstract readAll(fromPosition?: number, limit?: number): Promise<readonly StoredEvent[]>;

  /** The position of the newest event; 0 while the log is empty. */
  abstract head(): Promise<number>;

  /**
   * The first position whose event happened at or after `at` (epoch ms), or `head() + 1` when
   * none did. Events are appended in time order, so an adapter can binary-search its positions.
   */
  abstract positionAt(at: number): Promise<number>;

  /**
   * Calls `listener` with each batch once it is durable, in position order. Returns the
   * unsubscribe function. A service that follows the log for the core's whole life subscribes
   * in its constructor (see docs/adr/0008): never in a Nest lifecycle hook, which the apps that
   * share a core instance would run again.
   */
  abstract subscribe(listener: EventListener): () => void;

  /**
   * Whether an append made now could become durable (the readiness probe asks). A durable
   * adapter answers false when its storage refuses writes (disk full, file read-only, lost
   * connection), so that no new order is sent to an instance that would lose it.
   */
  abstract isWritable(): boolean;

  /**
   * Resolves once every event appended so far is durable. A reader that acts on a view (which
   * may include appends not yet durable) waits on it before acknowledging anything to a client.
   */
  abstract durable(): Promise<void>;

  /**
   * Resolves once the inline projections include every event committed anywhere before the
   * call: at once for a log only this process writes, after a catch-up read on a shared one.
   */
  abstract caughtUp(): Promise<void>;
}

/**
 * The first position in [low, high) whose event happened at or after `at`, or `high` when none
 * did: a binary search, since events are appended in time order. `atOf` reads one event's time.
 */
export async function firstPositionAt(
  at: number,
  low: number,
  high: number,
  atOf: (position: number) => number | Promise<number>,
): Promise<number> {
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((await atOf(middle)) < at) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Rebuilds a view from the log alone (the whole log: a store that lets events go has only the latest). */
export async function replay<P extends InlineProjection>(
  store: EventStore,
  projection: P,
): Promise<P> {
  for (let from = 1; ;) {
    const page = await store.readAll(from, REPLAY_PAGE);
    for (const stored of page) projection.apply(stored);
    if (page.length < REPLAY_PAGE) return projection;
    from = page[page.length - 1].position + 1;
  }
}

/** Events read at a time by `replay`: the log is never in memory whole. */
const REPLAY_PAGE = 1000;
