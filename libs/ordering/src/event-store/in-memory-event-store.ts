import { Logger } from '@nestjs/common';
import { WrongExpectedVersion } from './event-store.errors';
import type { OrderEvent } from '../events';
import {
  type EventListener,
  EventStore,
  type InlineProjection,
  type StoredEvent,
} from './event-store';

/**
 * The default adapter: the log lives as long as the process. Version checks as in emmett's
 * in-memory store. Durable adapters extend it: they keep this log for reads and override
 * `commit` to write each batch before it is acknowledged.
 */
export class InMemoryEventStore extends EventStore {
  private readonly log: StoredEvent[] = [];
  private readonly streams = new Map<string, StoredEvent[]>();
  private readonly listeners = new Set<EventListener>();
  protected readonly logger = new Logger(this.constructor.name);

  constructor(private readonly projections: readonly InlineProjection[]) {
    super();
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
      position: this.log.length + i + 1,
      stream,
      version: expectedVersion + i + 1,
      event,
    }));
    for (const stored of batch) this.record(stored);
    return this.commit(batch);
  }

  readStream(stream: string): Promise<readonly StoredEvent[]> {
    return Promise.resolve(this.streams.get(stream) ?? []);
  }

  readAll(fromPosition = 1, limit = Infinity): Promise<readonly StoredEvent[]> {
    const first = Math.max(fromPosition, 1) - 1;
    return Promise.resolve(this.log.slice(first, first + limit));
  }

  head(): Promise<number> {
    return Promise.resolve(this.position);
  }

  positionAt(at: number): Promise<number> {
    let low = 0;
    let high = this.log.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.log[middle].event.at < at) low = middle + 1;
      else high = middle;
    }
    return Promise.resolve(low + 1);
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
    return this.log.length;
  }

  /** How many events of `stream` this process has recorded. */
  protected versionOf(stream: string): number {
    return this.streams.get(stream)?.length ?? 0;
  }

  /**
   * Adds one event to the log, its stream and the projections, synchronously. `append` uses it
   * for new events, durable adapters for the events they read back at start.
   */
  protected record(stored: StoredEvent): void {
    this.log.push(stored);
    let history = this.streams.get(stored.stream);
    if (!history) this.streams.set(stored.stream, (history = []));
    history.push(stored);
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
}
