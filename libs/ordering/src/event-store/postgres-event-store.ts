import { EventStoreUnavailable, WrongExpectedVersion } from './event-store.errors';
import type { OrderEvent } from '../events';
import type { InlineProjection, StoredEvent } from './event-store';
import { InMemoryEventStore } from './in-memory-event-store';
import { PostgresFollower } from './postgres-follower';
import { PostgresGroupWriter } from './postgres-group-writer';
import { EventLogUnreachable, reason, redacted } from './postgres-link';
import { migrate } from './postgres-migrations';
import { PostgresSessions } from './postgres-sessions';
import { DEFAULT_SESSION_DEADLINES, type SessionDeadlines } from '../session-deadlines';

export interface PostgresEventStoreOptions extends Partial<SessionDeadlines> {
  /** How long to wait before connecting the LISTEN session again after it was lost. */
  reconnectMs?: number;
}

/** A migration may rebuild an index over the whole log: its statements get minutes, not seconds. */
const MIGRATION_DEADLINE_MS = 600_000;

/**
 * The shared adapter: one PostgreSQL log for a fleet of instances. Each instance keeps the log
 * it has seen in memory (reads and views are served from it) and follows the database by
 * position (PostgresFollower). Appends go to the database first, in groups (PostgresGroupWriter:
 * the appends made while the previous group is in flight share one transaction); only once
 * committed do they enter this process's views, in position order, with whatever other
 * instances appended before them. The schema is kept by `migrations/` (migrate).
 */
export class PostgresEventStore extends InMemoryEventStore {
  override readonly sharedLog = true;
  private readonly follower: PostgresFollower;
  private readonly writer: PostgresGroupWriter;
  private closed = false;

  private constructor(
    private readonly sessions: PostgresSessions,
    projections: readonly InlineProjection[],
    reconnectMs: number,
  ) {
    super(projections);
    // The follower feeds the log and views this class inherits.
    this.follower = new PostgresFollower(
      sessions,
      {
        position: () => this.position,
        record: (stored) => this.record(stored),
        notify: (batch) => this.notify(batch),
      },
      reconnectMs,
    );
    this.writer = new PostgresGroupWriter(sessions, (batches) => this.follower.takeOwn(batches));
  }

  /**
   * Connects, creates or migrates the schema (once, however many instances start together),
   * reads the whole log into `projections` and starts following it. Throws EventLogUnreachable
   * when the server refuses the connection or the rights, or the schema cannot be applied.
   */
  static async open(
    url: string,
    projections: readonly InlineProjection[],
    { reconnectMs = 500, ...deadlines }: PostgresEventStoreOptions = {},
  ): Promise<PostgresEventStore> {
    const sessions = new PostgresSessions(url, { ...DEFAULT_SESSION_DEADLINES, ...deadlines });
    const store = new PostgresEventStore(sessions, projections, reconnectMs);
    try {
      await migrate(sessions.client('cafe-migrations', MIGRATION_DEADLINE_MS));
      await store.caughtUp();
      await store.follower.listen();
    } catch (error) {
      await store.close();
      throw new EventLogUnreachable(`PostgreSQL at ${redacted(url)}: ${reason(error)}`);
    }
    return store;
  }

  override append(
    stream: string,
    events: readonly OrderEvent[],
    expectedVersion: number,
  ): Promise<readonly StoredEvent[]> {
    if (this.closed) return Promise.reject(new EventStoreUnavailable('the café is closing'));
    // Already stale by what this process has seen: no need to ask the database.
    const seen = this.versionOf(stream);
    if (seen !== expectedVersion) {
      return Promise.reject(new WrongExpectedVersion(stream, expectedVersion, seen));
    }
    return this.writer.enqueue((settles) => ({ stream, expectedVersion, events, ...settles }));
  }

  /**
   * Starts the oldest queued order in the database, in the transaction of its append, so that
   * instances never hand out one order twice nor out of placing order (docs/adr/0012).
   * Resolves once committed and in the views, with nothing when the queue is empty. Not part of
   * the port: only the fifo claim of a fleet uses it (StartInSharedLog).
   */
  startOldestQueued(at: number, barista?: string): Promise<StoredEvent | undefined> {
    if (this.closed) return Promise.reject(new EventStoreUnavailable('the café is closing'));
    return this.writer
      .enqueue((settles) => ({ claim: { at, barista }, ...settles }))
      .then(([started]) => started);
  }

  /** Down while the database cannot be reached (the last query or the LISTEN session failed) or once closed. */
  override isWritable(): boolean {
    return !this.closed && this.sessions.link.up;
  }

  /** Views take in only committed events; this waits for the groups in flight to commit. */
  override durable(): Promise<void> {
    return this.writer.durable();
  }

  /** Reads what other instances committed since the last read; calls made meanwhile share one read. */
  override caughtUp(): Promise<void> {
    return this.follower.caughtUp();
  }

  /** Lets the appends in flight settle, stops following and closes the connections. */
  async close(): Promise<void> {
    await this.writer.settled();
    this.closed = true;
    await this.follower.close();
    await this.sessions.end();
  }

  async onModuleDestroy(): Promise<void> {
    await this.close();
  }
}
