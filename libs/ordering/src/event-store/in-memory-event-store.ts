import { Logger } from '@nestjs/common';
import { WrongExpectedVersion } from '../domain/errors';
import type { OrderEvent } from '../events';
import {
  type EventListener,
  EventStore,
  type InlineProjection,
  type StoredEvent,
} from './event-store';

/** The default adapter: the log lives as long as the process. Version checks as in emmett's in-memory store. */
export class InMemoryEventStore extends EventStore {
  private readonly log: StoredEvent[] = [];
  private readonly streams = new Map<string, StoredEvent[]>();
  private readonly listeners = new Set<EventListener>();
  private readonly logger = new Logger(InMemoryEventStore.name);

  constructor(private readonly projections: readonly InlineProjection[]) {
    super();
  }

  append(
    stream: string,
    events: readonly OrderEvent[],
    expectedVersion: number,
  ): Promise<readonly StoredEvent[]> {
    const history = this.streams.get(stream) ?? [];
    if (history.length !== expectedVersion) {
      return Promise.reject(new WrongExpectedVersion(stream, expectedVersion, history.length));
    }
    const batch = events.map((event, i): StoredEvent => ({
      position: this.log.length + i + 1,
      stream,
      version: expectedVersion + i + 1,
      event,
    }));
    this.log.push(...batch);
    if (history.length === 0) this.streams.set(stream, history);
    history.push(...batch);
    for (const stored of batch) for (const projection of this.projections) projection.apply(stored);
    this.notify(batch);
    return Promise.resolve(batch);
  }

  readStream(stream: string): readonly StoredEvent[] {
    return this.streams.get(stream) ?? [];
  }

  *readAll(fromPosition = 1): Iterable<StoredEvent> {
    for (let i = Math.max(fromPosition, 1) - 1; i < this.log.length; i++) yield this.log[i];
  }

  head(): number {
    return this.log.length;
  }

  positionAt(at: number): number {
    let low = 0;
    let high = this.log.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.log[middle].event.at < at) low = middle + 1;
      else high = middle;
    }
    return low + 1;
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Memory always takes an append, for as long as the process lives. */
  isWritable(): boolean {
    return true;
  }

  private notify(batch: readonly StoredEvent[]): void {
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
