import { Logger } from '@nestjs/common';
import { WrongExpectedVersion } from './event-store.errors';
import { settles } from '../domain/order';
import type { OrderEvent } from '../events';
import type { KeyedOrder } from '../projections/idempotency-key.projection';
import {
  type EventListener,
  EventStore,
  firstPositionAt,
  type InlineProjection,
  type StoredEvent,
} from './event-store';

/**
 * The default adapter: the log lives in the process, and only its latest `eventsKept` events
 * and the streams of the live orders (queued, brewing) stay, so memory does not grow with the
 * café's history (docs/adr/0013). A settled order's stream goes with the last of its events.
 * Version checks as in emmett's in-memory store. Durable adapters extend it with `eventsKept`
 * 0: they keep the live streams for their version checks, read everything else from disk, and
 * override `commit` to write each batch before it is acknowledged.
 */
export class InMemoryEventStore extends EventStore {
  override readonly eventsKept?: number;
  /** The latest events, by position: the event at position p is at (p - 1) % eventsKept. */
  private readonly latest: StoredEvent[] = [];
  /** The live orders' streams, and the settled ones that still have an event among the latest. */
  private readonly streams = new Map<string, StoredEvent[]>();
  private readonly listeners = new Set<EventListener>();
  private newest = 0;
  protected readonly logger = new Logger(this.constructor.name);

  constructor(
    private readonly projections: readonly InlineProjection[],
    { eventsKept = 10_000 }: { eventsKept?: number } = {},
  ) {
    super();
    this.eventsKept = eventsKept;
  }

  append(
    stream: string,
    events: readonly OrderEvent[],
    expectedVersion: number,
  ): Promise<readonly StoredEvent[]> {
    const actual = this.versionOf(stream);
    if (actual !== expectedVersion) {
      return Promise.reject(new WrongExpectedVersion(stream, expectedVersion, actual));
    }
    const batch = events.map((event, i): StoredEvent => ({
      position: this.newest + i + 1,
      stream,
      version: expectedVersion + i + 1,
      event,
    }));
    for (const stored of batch) this.record(stored);
    return this.commit(batch);
  }

  /** A settled stream whose events all left the latest is gone: empty, as if never placed. */
  readStream(stream: string): Promise<readonly StoredEvent[]> {
    return Promise.resolve(this.streams.get(stream) ?? []);
  }

  /** From the oldest event still kept, when `fromPosition` is older. */
  readAll(fromPosition = 1, limit = Infinity): Promise<readonly StoredEvent[]> {
    const page: StoredEvent[] = [];
    const last = Math.min(this.newest, Math.max(fromPosition, this.oldestKept) + limit - 1);
    for (let p = Math.max(fromPosition, this.oldestKept); p <= last; p++) page.push(this.at(p));
    return Promise.resolve(page);
  }

  head(): Promise<number> {
    return Promise.resolve(this.newest);
  }

  positionAt(at: number): Promise<number> {
    return firstPositionAt(at, this.oldestKept, this.newest + 1, (p) => this.at(p).event.at);
  }

  /** The keys live in IdempotencyKeyProjection alone, bounded as it is. */
  orderPlacedUnder(_key: string): Promise<KeyedOrder | undefined> {
    return Promise.resolve(undefined);
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Memory always takes an append, for as long as the process lives. */
  isWritable(): boolean {
    return true;
  }

  /** Nothing to wait for: memory is as durable as this adapter gets. */
  durable(): Promise<void> {
    return Promise.resolve();
  }

  /** Only this process writes the log: its views are never behind. */
  caughtUp(): Promise<void> {
    return Promise.resolve();
  }

  /** The position of the newest event recorded in this process. */
  protected get position(): number {
    return this.newest;
  }

  /** Durable adapters start from the log's head without recording what lies before it. */
  protected set position(head: number) {
    this.newest = head;
  }

  /** How many events of `stream` this process holds: 0 for a settled stream it let go. */
  protected versionOf(stream: string): number {
    return this.streams.get(stream)?.length ?? 0;
  }

  /**
   * Adds one event to the latest, its stream and the projections, synchronously. `append` uses
   * it for new events, durable adapters for the events they read back at start.
   */
  protected record(stored: StoredEvent): void {
    this.newest = stored.position;
    let history = this.streams.get(stored.stream);
    if (!history) this.streams.set(stored.stream, (history = []));
    history.push(stored);
    const kept = this.eventsKept ?? 0;
    if (kept === 0) {
      if (settles(stored.event)) this.streams.delete(stored.stream);
    } else {
      const slot = (stored.position - 1) % kept;
      const leaving = this.latest[slot];
      // A settling event is its stream's last: once it leaves, so does the stream.
      if (leaving && settles(leaving.event)) this.streams.delete(leaving.stream);
      this.latest[slot] = stored;
    }
    for (const projection of this.projections) projection.apply(stored);
  }

  /** Makes a recorded batch durable, then tells the listeners. Memory has nothing to write. */
  protected commit(batch: readonly StoredEvent[]): Promise<readonly StoredEvent[]> {
    this.notify(batch);
    return Promise.resolve(batch);
  }

  protected notify(batch: readonly StoredEvent[]): void {
    for (const listener of this.listeners) {
      // The events are already in the log: a failing listener must not turn the append into an error.
      try {
        listener(batch);
      } catch (error) {
        this.logger.error(`event listener failed: ${String(error)}`, (error as Error)?.stack);
      }
    }
  }

  /** The oldest position still among the latest (the head + 1 when none is). */
  private get oldestKept(): number {
    return Math.max(1, this.newest - (this.eventsKept ?? 0) + 1);
  }

  private at(position: number): StoredEvent {
    return this.latest[(position - 1) % (this.eventsKept as number)];
  }
}
