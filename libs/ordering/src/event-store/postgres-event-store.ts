import { Logger } from '@nestjs/common';
import { EventStoreUnavailable } from './event-store.errors';
import type { OrderEvent } from '../events';
import type { KeyedOrder } from '../projections/idempotency-key.projection';
import { Retention } from '../retention';
import {
  type EventListener,
  EventStore,
  type InlineProjection,
  type StoredEvent,
} from './event-store';
import { LiveLog } from './live-log';
import { PostgresFollower } from './postgres-follower';
import { PostgresGroupWriter } from './postgres-group-writer';
import { EventLogUnreachable, reason, redacted } from './postgres-link';
import { migrate } from './postgres-migrations';
import { PostgresSessions } from './postgres-sessions';
import { DEFAULT_SESSION_DEADLINES, type SessionDeadlines } from '../session-deadlines';
import { PostgresReads } from './postgres-reads';

export interface PostgresEventStoreOptions extends Partial<SessionDeadlines> {
  /** How long to wait before connecting the LISTEN session again after it was lost. */
  reconnectMs?: number;
  /** What the views keep of the settled orders: the start reads that many back. */
  retention?: Retention;
}

/** A migration may rebuild an index over the whole log: its statements get minutes, not seconds. */
const MIGRATION_DEADLINE_MS = 600_000;

/**
 * The shared adapter: one PostgreSQL log for a fleet of instances. Each instance keeps the live
 * orders' streams in memory (its LiveLog, keeping no latest events), reads everything else from
 * the database (PostgresReads) and follows the database by position (PostgresFollower, the one
 * that records into the LiveLog). Appends go to the database first, in groups
 * (PostgresGroupWriter: the appends made while the previous group is in flight share one
 * transaction), which numbers them and checks their versions; only once committed do they enter
 * this process's views, in position order, with whatever other instances appended before them.
 * The schema is kept by `migrations/` (migrate).
 */
export class PostgresEventStore extends EventStore {
  private readonly live: LiveLog;
  private readonly follower: PostgresFollower;
  private readonly reads: PostgresReads;
  private readonly writer: PostgresGroupWriter;
  private closed = false;

  private constructor(
    private readonly sessions: PostgresSessions,
    projections: readonly InlineProjection[],
    reconnectMs: number,
  ) {
    super();
    this.live = new LiveLog(projections, {
      eventsKept: 0,
      logger: new Logger(PostgresEventStore.name),
    });
    this.follower = new PostgresFollower(sessions, this.live, reconnectMs);
    this.writer = new PostgresGroupWriter(sessions, (batches) => this.follower.takeOwn(batches));
    this.reads = new PostgresReads(sessions);
  }

  /**
   * Connects, creates or migrates the schema (once, however many instances start together),
   * reads the live orders and the latest settled ones into `projections` and follows the log
   * from the head it read them at. Throws EventLogUnreachable
   * when the server refuses the connection or the rights, or the schema cannot be applied.
   */
  static async open(
    url: string,
    projections: readonly InlineProjection[],
    { reconnectMs = 500, retention, ...deadlines }: PostgresEventStoreOptions = {},
  ): Promise<PostgresEventStore> {
    const sessions = new PostgresSessions(url, { ...DEFAULT_SESSION_DEADLINES, ...deadlines });
    const store = new PostgresEventStore(sessions, projections, reconnectMs);
    try {
      await migrate(sessions.client('cafe-migrations', MIGRATION_DEADLINE_MS));
      const recentOrders = (retention ?? new Retention()).recentOrders;
      const start = await store.reads.startingPoint(recentOrders);
      for (const stored of start.events) store.live.record(stored);
      store.live.startAt(start.head);
      await store.follower.listen();
      // What committed between the snapshot and LISTEN.
      await store.caughtUp();
    } catch (error) {
      await store.close();
      throw new EventLogUnreachable(`PostgreSQL at ${redacted(url)}: ${reason(error)}`);
    }
    return store;
  }

  append(
    stream: string,
    events: readonly OrderEvent[],
    expectedVersion: number,
  ): Promise<readonly StoredEvent[]> {
    if (this.closed) return Promise.reject(new EventStoreUnavailable('the café is closing'));
    // Already stale by what this process has seen: no need to ask the database.
    const refused = this.live.refusal(stream, expectedVersion);
    if (refused) return Promise.reject(refused);
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

  readStream(stream: string): Promise<readonly StoredEvent[]> {
    return this.reads.stream(stream);
  }

  readAll(fromPosition = 1, limit = Infinity): Promise<readonly StoredEvent[]> {
    return this.reads.page(fromPosition, limit);
  }

  head(): Promise<number> {
    return this.reads.head();
  }

  positionAt(at: number): Promise<number> {
    return this.reads.positionAt(at);
  }

  orderPlacedUnder(key: string): Promise<KeyedOrder | undefined> {
    return this.reads.orderPlacedUnder(key);
  }

  /** Refills the live orders' table from the whole log, whatever it held (`make rebuild-views`). */
  rebuildLiveOrders(): Promise<void> {
    return this.reads.rebuildLiveOrders();
  }

  /**
   * Records that instance `self` is alive now, forgets the instances not heard of for
   * `staleAfterMs` (by the database's clock, the one every instance shares) and resolves with
   * those still alive. Not part of the port: only a fleet has other instances (InstanceLiveness).
   */
  async liveInstances(self: string, staleAfterMs: number): Promise<ReadonlySet<string>> {
    await this.sessions.query(
      `INSERT INTO cafe_instances (id, seen_at) VALUES ($1, now())
       ON CONFLICT (id) DO UPDATE SET seen_at = now()`,
      [self],
    );
    const stale = `now() - make_interval(secs => $1::float8 / 1000)`;
    await this.sessions.query(`DELETE FROM cafe_instances WHERE seen_at < ${stale}`, [
      staleAfterMs,
    ]);
    const { rows } = await this.sessions.query<{ id: string }>('SELECT id FROM cafe_instances', []);
    return new Set(rows.map(({ id }) => id));
  }

  subscribe(listener: EventListener): () => void {
    return this.live.subscribe(listener);
  }

  /** Down while the database cannot be reached (the last query or the LISTEN session failed) or once closed. */
  isWritable(): boolean {
    return !this.closed && this.sessions.link.up;
  }

  /** Views take in only committed events; this waits for the groups in flight to commit. */
  durable(): Promise<void> {
    return this.writer.durable();
  }

  /** Reads what other instances committed since the last read; calls made meanwhile share one read. */
  caughtUp(): Promise<void> {
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
