import type { OrderEvent } from '../events';

/** An event as the log holds it. Positions are global and start at 1; versions count within a stream. */
export interface StoredEvent {
  readonly position: number;
  readonly stream: string;
  readonly version: number;
  readonly event: OrderEvent;
}

/** A view kept up to date inside `append`, so that a command always reads a view that includes every earlier append. */
export interface InlineProjection {
  apply(stored: StoredEvent): void;
}

export type EventListener = (batch: readonly StoredEvent[]) => void;

/**
 * The port every adapter implements. One stream per order, named by the order id.
 */
export abstract class EventStore {
  /**
   * Appends `events` to `stream` if the stream is at `expectedVersion` (0: the stream must not
   * exist yet). The version check, the position assignment and the inline projections all run
   * synchronously inside this call, so no other command can interleave between a command's read
   * and its append. The promise settles once the events are durable; listeners are told then.
   * Rejects with WrongExpectedVersion when the stream moved on.
   */
  abstract append(
    stream: string,
    events: readonly OrderEvent[],
    expectedVersion: number,
  ): Promise<readonly StoredEvent[]>;

  /** The events of one stream, oldest first. */
  abstract readStream(stream: string): readonly StoredEvent[];

  /** The whole log from `fromPosition` (inclusive), oldest first. */
  abstract readAll(fromPosition?: number): Iterable<StoredEvent>;

  /** The position of the newest event; 0 while the log is empty. */
  abstract head(): number;

  /**
   * The first position whose event happened at or after `at` (epoch ms), or `head() + 1` when
   * none did. Events are appended in time order, so an adapter can binary-search its positions.
   */
  abstract positionAt(at: number): number;

  /** Calls `listener` with each batch once it is durable. Returns the unsubscribe function. */
  abstract subscribe(listener: EventListener): () => void;

  /**
   * Whether an append made now could become durable (the readiness probe asks). A durable
   * adapter answers false when its storage refuses writes (disk full, file read-only, lost
   * connection), so that no new order is sent to an instance that would lose it.
   */
  abstract isWritable(): boolean;

  /**
   * Resolves once every event appended so far is durable. A reader that acts on a view (which
   * includes appends not yet durable) waits on it before acknowledging anything to a client.
   */
  abstract durable(): Promise<void>;
}

/** Rebuilds a view from the log alone. */
export function replay<P extends InlineProjection>(store: EventStore, projection: P): P {
  for (const stored of store.readAll()) projection.apply(stored);
  return projection;
}
