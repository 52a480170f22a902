import { Logger } from '@nestjs/common';
import type { OrderEvent } from '../events';
import type { KeyedOrder } from '../projections/idempotency-key.projection';
import {
  type EventListener,
  EventStore,
  type InlineProjection,
  type StoredEvent,
} from './event-store';
import { WrongExpectedVersion } from './event-store.errors';
import { LiveLog } from './live-log';

/**
 * The default adapter: the log lives in the process, and only its latest `eventsKept` events
 * and the streams of the live orders (queued, brewing) stay, so memory does not grow with the
 * café's history (docs/adr/0014). A settled order's stream goes with the last of its events.
 * Version checks as in emmett's in-memory store. Everything it holds is its LiveLog's: an
 * append is recorded, told and resolved at once, since memory has nothing to write.
 */
export class InMemoryEventStore extends EventStore {
  override readonly eventsKept: number;
  private readonly live: LiveLog;

  constructor(
    projections: readonly InlineProjection[],
    { eventsKept = 10_000 }: { eventsKept?: number } = {},
  ) {
    super();
    this.eventsKept = eventsKept;
    this.live = new LiveLog(projections, {
      eventsKept,
      logger: new Logger(InMemoryEventStore.name),
    });
  }

  append(
    stream: string,
    events: readonly OrderEvent[],
    expectedVersion: number,
  ): Promise<readonly StoredEvent[]> {
    const batch = this.live.stage(stream, events, expectedVersion);
    if (batch instanceof WrongExpectedVersion) return Promise.reject(batch);
    this.live.notify(batch);
    return Promise.resolve(batch);
  }

  /** A settled stream whose events all left the latest is gone: empty, as if never placed. */
  readStream(stream: string): Promise<readonly StoredEvent[]> {
    return Promise.resolve(this.live.stream(stream));
  }

  /** From the oldest event still kept, when `fromPosition` is older. */
  readAll(fromPosition = 1, limit = Infinity): Promise<readonly StoredEvent[]> {
    return Promise.resolve(this.live.kept(fromPosition, limit));
  }

  head(): Promise<number> {
    return Promise.resolve(this.live.head);
  }

  /** Among the events still kept: the oldest kept when every one of them happened at or after `at`. */
  positionAt(at: number): Promise<number> {
    return this.live.positionAt(at);
  }

  /** The keys live in IdempotencyKeyProjection alone, bounded as it is. */
  orderPlacedUnder(_key: string): Promise<KeyedOrder | undefined> {
    return Promise.resolve(undefined);
  }

  subscribe(listener: EventListener): () => void {
    return this.live.subscribe(listener);
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
}
