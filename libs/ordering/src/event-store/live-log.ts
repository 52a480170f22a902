import type { Logger } from '@nestjs/common';
import { settles } from '../domain/order';
import type { OrderEvent } from '../events';
import {
  type EventListener,
  firstPositionAt,
  type InlineProjection,
  type StoredEvent,
} from './event-store';
import { WrongExpectedVersion } from './event-store.errors';

/**
 * What this process holds of the log, whichever adapter stores it: the streams of the live
 * orders (for the version checks), the ring of the latest `eventsKept` events (0 on a durable
 * store: it reads the past from disk), the position of the newest event recorded, the inline
 * projections it feeds and the listeners it tells. Each adapter holds one and decides only when
 * an event enters it: the memory store at once, SQLite at once and durable after its group
 * commit, PostgreSQL once committed (its follower records what any instance commits). What
 * stays in memory is bounded by the live orders and `eventsKept` (docs/adr/0014).
 */
export class LiveLog {
  /** The latest events, by position: the event at position p is at (p - 1) % eventsKept. */
  private readonly latest: StoredEvent[] = [];
  /** The live orders' streams, and the settled ones that still have an event among the latest. */
  private readonly streams = new Map<string, StoredEvent[]>();
  private readonly listeners = new Set<EventListener>();
  private newest = 0;
  private readonly eventsKept: number;
  private readonly logger: Logger;

  constructor(
    private readonly projections: readonly InlineProjection[],
    { eventsKept, logger }: { eventsKept: number; logger: Logger },
  ) {
    this.eventsKept = eventsKept;
    this.logger = logger;
  }

  /** The position of the newest event recorded in this process; 0 before any. */
  get head(): number {
    return this.newest;
  }

  /** A durable store starts from its log's head, having recorded only the streams the views need. */
  startAt(head: number): void {
    this.newest = head;
  }

  /** How many events of `stream` this process holds: 0 for a settled stream it let go. */
  versionOf(stream: string): number {
    return this.streams.get(stream)?.length ?? 0;
  }

  /**
   * The refusal of an append to `stream` at `expectedVersion` when the stream is at `actual`
   * (by default, what this process holds of it), or undefined when it may go ahead.
   */
  refusal(
    stream: string,
    expectedVersion: number,
    actual = this.versionOf(stream),
  ): WrongExpectedVersion | undefined {
    return actual === expectedVersion
      ? undefined
      : new WrongExpectedVersion(stream, expectedVersion, actual);
  }

  /**
   * For an adapter that numbers appends in the process (memory, SQLite): checks the expected
   * version against `actual`, then numbers the batch after the head and records it, in one
   * synchronous stretch. Answers the refusal instead when the stream moved on; nothing is
   * recorded then. The listeners are the caller's to tell, once the batch is durable.
   */
  stage(
    stream: string,
    events: readonly OrderEvent[],
    expectedVersion: number,
    actual = this.versionOf(stream),
  ): readonly StoredEvent[] | WrongExpectedVersion {
    const refused = this.refusal(stream, expectedVersion, actual);
    if (refused) return refused;
    const batch = events.map((event, i): StoredEvent => ({
      position: this.newest + i + 1,
      stream,
      version: expectedVersion + i + 1,
      event,
    }));
    for (const stored of batch) this.record(stored);
    return batch;
  }

  /**
   * Adds one event to the latest, its stream and the projections, synchronously: a new event,
   * one a durable store reads back at start, or one a follower reads from a shared log.
   */
  record(stored: StoredEvent): void {
    this.newest = stored.position;
    let history = this.streams.get(stored.stream);
    if (!history) this.streams.set(stored.stream, (history = []));
    history.push(stored);
    if (this.eventsKept === 0) {
      if (settles(stored.event)) this.streams.delete(stored.stream);
    } else {
      const slot = (stored.position - 1) % this.eventsKept;
      const leaving = this.latest[slot];
      // A settling event is its stream's last: once it leaves, so does the stream.
      if (leaving && settles(leaving.event)) this.streams.delete(leaving.stream);
      this.latest[slot] = stored;
    }
    for (const projection of this.projections) projection.apply(stored);
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Tells every listener of a batch now durable and recorded, in the order they subscribed. */
  notify(batch: readonly StoredEvent[]): void {
    for (const listener of this.listeners) {
      // The events are already in the log: a failing listener must not turn the append into an error.
      try {
        listener(batch);
      } catch (error) {
        this.logger.error(`event listener failed: ${String(error)}`, (error as Error)?.stack);
      }
    }
  }

  /** The stream as this process holds it: empty for one it let go (or never had). */
  stream(stream: string): readonly StoredEvent[] {
    return this.streams.get(stream) ?? [];
  }

  /** Up to `limit` of the latest events from `fromPosition`, or from the oldest kept when that is older. */
  kept(fromPosition: number, limit: number): StoredEvent[] {
    const page: StoredEvent[] = [];
    const last = Math.min(this.newest, Math.max(fromPosition, this.oldestKept) + limit - 1);
    for (let p = Math.max(fromPosition, this.oldestKept); p <= last; p++) page.push(this.at(p));
    return page;
  }

  /** The first position among the latest whose event happened at or after `at`, else the head + 1. */
  positionAt(at: number): Promise<number> {
    return firstPositionAt(at, this.oldestKept, this.newest + 1, (p) => this.at(p).event.at);
  }

  /** The oldest position still among the latest (the head + 1 when none is). */
  private get oldestKept(): number {
    return Math.max(1, this.newest - this.eventsKept + 1);
  }

  private at(position: number): StoredEvent {
    return this.latest[(position - 1) % this.eventsKept];
  }
}
