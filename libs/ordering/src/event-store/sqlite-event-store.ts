import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { Logger } from '@nestjs/common';
import Database from 'better-sqlite3';
import { EventStoreUnavailable, WrongExpectedVersion } from './event-store.errors';
import type { OrderEvent } from '../events';
import { places, settles } from '../domain/order';
import type { KeyedOrder } from '../projections/idempotency-key.projection';
import { Retention } from '../retention';
import {
  type EventListener,
  EventStore,
  firstPositionAt,
  type InlineProjection,
  type StoredEvent,
} from './event-store';
import { LiveLog } from './live-log';

/** The log file cannot be trusted; the message names the file. The café refuses to start on it. */
export class EventLogUnreadable extends Error {
  override readonly name = 'EventLogUnreadable';
}

export interface SqliteEventStoreOptions {
  /**
   * Called once when a commit fails. The views already include the failed events, so the
   * process must not go on serving them: by default it logs and exits with status 1, and the
   * next start reads what is on disk. See docs/adr/0003.
   */
  onFatal?: (error: Error) => void;
  /** What the views keep of the settled orders: the start reads that many back. */
  retention?: Retention;
  /**
   * Checks the whole file (`PRAGMA integrity_check`), reads the whole log, checking every row,
   * and rebuilds the tables kept beside it (the live orders, the Idempotency-Keys) from it,
   * instead of trusting them: `make rebuild-views`. A start without it checks what it reads.
   */
  rebuild?: boolean;
}

interface EventRow {
  position: number;
  stream: string;
  version: number;
  data: string;
  checksum: string;
}

/**
 * `events` is the log. The other tables are kept from it in each append's transaction, so a
 * start reads what the views need, not history: `live_orders` (streams placed and not settled),
 * `idempotency_keys`, and `kept_up_to`, the position they include, which a start compares with
 * the log's head: tables that do not match the log are rebuilt from it, never trusted.
 */
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS events (
    position INTEGER PRIMARY KEY,
    stream   TEXT    NOT NULL,
    version  INTEGER NOT NULL,
    type     TEXT    NOT NULL,
    at       INTEGER NOT NULL,
    data     TEXT    NOT NULL,
    checksum TEXT    NOT NULL,
    UNIQUE (stream, version)
  ) STRICT;
  CREATE TABLE IF NOT EXISTS live_orders (stream TEXT PRIMARY KEY) STRICT, WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS idempotency_keys (
    key         TEXT PRIMARY KEY,
    order_id    TEXT NOT NULL,
    fingerprint TEXT NOT NULL
  ) STRICT, WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS kept_up_to (only_row INTEGER PRIMARY KEY CHECK (only_row = 1), position INTEGER NOT NULL) STRICT`;

/** How far back a start looks for the latest settled orders, in events per order kept. */
const EVENTS_PER_RECENT_ORDER = 8;

/**
 * The durable adapter. Each append is written to SQLite and acknowledged only after its
 * transaction committed; appends made in one event-loop turn share one transaction (group
 * commit), flushed by `setImmediate`. Reads come from the file (by stream, by position), and
 * memory holds the live orders' streams only (its LiveLog keeps no latest events); a start
 * reads the live orders and the latest settled ones into the views, not the whole log
 * (docs/adr/0014). An append is checked, numbered and recorded in the LiveLog synchronously,
 * and told to the listeners once its transaction committed.
 */
export class SqliteEventStore extends EventStore {
  private readonly logger = new Logger(SqliteEventStore.name);
  private readonly live: LiveLog;
  private readonly db: Database.Database;
  private readonly writeBatches: (batches: readonly (readonly StoredEvent[])[]) => void;
  private readonly statements: ReturnType<typeof prepareReads>;
  private readonly onFatal: (error: Error) => void;
  /** Batches recorded in memory whose transaction has not run yet. */
  private uncommitted: (readonly StoredEvent[])[] = [];
  /** Their streams' versions: a settled stream leaves memory before its events reach the file. */
  private readonly uncommittedVersions = new Map<string, number>();
  private nextCommit?: Promise<void>;
  private unavailable?: EventStoreUnavailable;

  /**
   * Opens (or creates) the log at `path`, checks it and reads what the views need into
   * `projections`. Throws EventLogUnreadable, naming the file, when the file is damaged.
   */
  constructor(
    readonly path: string,
    projections: readonly InlineProjection[],
    {
      onFatal = exitOnFatal,
      retention = new Retention(),
      rebuild = false,
    }: SqliteEventStoreOptions = {},
  ) {
    super();
    this.live = new LiveLog(projections, { eventsKept: 0, logger: this.logger });
    this.onFatal = onFatal;
    this.db = openLog(path, rebuild);
    try {
      this.statements = prepareReads(this.db);
      const rebuilt = rebuild || !this.tablesMatchLog();
      if (rebuilt) this.rebuildTables();
      this.start(retention.recentOrders, rebuilt);
    } catch (error) {
      this.db.close();
      throw unreadable(path, error);
    }
    this.writeBatches = this.db.transaction(prepareWrites(this.db));
  }

  append(
    stream: string,
    events: readonly OrderEvent[],
    expectedVersion: number,
  ): Promise<readonly StoredEvent[]> {
    if (this.unavailable) return Promise.reject(this.unavailable);
    const batch = this.live.stage(stream, events, expectedVersion, this.versionOf(stream));
    if (batch instanceof WrongExpectedVersion) return Promise.reject(batch);
    return this.commit(batch);
  }

  /** What is on disk: an append is there once its promise resolved. */
  readStream(stream: string): Promise<readonly StoredEvent[]> {
    return this.read(() => this.statements.stream.all(stream) as EventRow[]);
  }

  readAll(fromPosition = 1, limit = Infinity): Promise<readonly StoredEvent[]> {
    const count = Number.isFinite(limit) ? limit : -1;
    return this.read(() => this.statements.page.all(fromPosition, count) as EventRow[]);
  }

  head(): Promise<number> {
    return Promise.resolve(this.committedHead());
  }

  /** A binary search over the positions, one indexed read a step. */
  positionAt(at: number): Promise<number> {
    const atOf = (position: number) => this.statements.at.pluck().get(position) as number;
    return firstPositionAt(at, 1, this.committedHead() + 1, atOf);
  }

  orderPlacedUnder(key: string): Promise<KeyedOrder | undefined> {
    const row = this.statements.key.get(key) as
      { order_id: string; fingerprint: string } | undefined;
    return Promise.resolve(row && { orderId: row.order_id, fingerprint: row.fingerprint });
  }

  /** Not after a failed commit or once closed: readiness then sends no order here. */
  isWritable(): boolean {
    return this.unavailable === undefined;
  }

  durable(): Promise<void> {
    if (this.nextCommit) return this.nextCommit;
    return this.unavailable ? Promise.reject(this.unavailable) : Promise.resolve();
  }

  /** Commits what is pending, then closes the file. Later appends are refused. */
  async close(): Promise<void> {
    // A commit's listeners may append again (a customer released, a reply cancelled): wait for those too.
    while (this.nextCommit) await this.nextCommit.catch(() => undefined);
    this.unavailable ??= new EventStoreUnavailable('the café is closing');
    if (this.db.open) this.db.close();
  }

  subscribe(listener: EventListener): () => void {
    return this.live.subscribe(listener);
  }

  /** Only this process writes the file (it holds it locked): its views are never behind. */
  caughtUp(): Promise<void> {
    return Promise.resolve();
  }

  async onModuleDestroy(): Promise<void> {
    await this.close();
  }

  /** The views hold live streams only: a settled one is asked of the file. */
  private versionOf(stream: string): number {
    return (
      this.live.versionOf(stream) ||
      this.uncommittedVersions.get(stream) ||
      ((this.statements.version.pluck().get(stream) as number | null) ?? 0)
    );
  }

  /** Queues a recorded batch for the next group commit; resolves once that committed. */
  private commit(batch: readonly StoredEvent[]): Promise<readonly StoredEvent[]> {
    this.uncommitted.push(batch);
    const last = batch[batch.length - 1];
    if (last) this.uncommittedVersions.set(last.stream, last.version);
    this.nextCommit ??= new Promise<void>((resolve, reject) =>
      setImmediate(() => this.commitPending(resolve, reject)),
    );
    return this.nextCommit.then(() => batch);
  }

  private commitPending(resolve: () => void, reject: (error: Error) => void): void {
    const batches = this.uncommitted;
    this.uncommitted = [];
    this.nextCommit = undefined;
    try {
      this.writeBatches(batches);
    } catch (error) {
      this.unavailable = new EventStoreUnavailable(`writing ${this.path} failed`);
      reject(this.unavailable);
      this.logger.error(`commit to ${this.path} failed: ${String(error)}`);
      this.onFatal(error as Error);
      return;
    }
    this.uncommittedVersions.clear();
    for (const batch of batches) this.live.notify(batch);
    resolve();
  }

  private committedHead(): number {
    return (this.statements.head.pluck().get() as number | null) ?? 0;
  }

  private read(rows: () => EventRow[]): Promise<readonly StoredEvent[]> {
    try {
      return Promise.resolve(rows().map(checked));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private tablesMatchLog(): boolean {
    const kept = this.db.prepare('SELECT position FROM kept_up_to').pluck().get() as
      number | undefined;
    return kept === this.committedHead();
  }

  /**
   * Reads the whole file, checking every row and its place in the sequence, and writes the
   * tables kept beside the log again from it. A page at a time: the log is never in memory.
   */
  private rebuildTables(): void {
    const versions = new Map<string, number>();
    const live = new Set<string>();
    const keys = new Map<string, { orderId: string; fingerprint: string }>();
    let previous = 0;
    for (const row of this.statements.everything.iterate() as IterableIterator<EventRow>) {
      const { position, stream, version, event } = checked(row);
      if (position !== previous + 1 || version !== (versions.get(stream) ?? 0) + 1) {
        throw new Error(`event ${position} (${stream} v${version}) is out of sequence`);
      }
      previous = position;
      if (settles(event)) {
        live.delete(stream);
        versions.delete(stream);
      } else versions.set(stream, version);
      if (places(event)) {
        live.add(stream);
        if (event.idempotency) {
          const { key, fingerprint } = event.idempotency;
          keys.set(key, { orderId: stream, fingerprint });
        }
      }
    }
    this.db.transaction(() => {
      this.db.exec('DELETE FROM live_orders; DELETE FROM idempotency_keys; DELETE FROM kept_up_to');
      const addLive = this.db.prepare('INSERT INTO live_orders (stream) VALUES (?)');
      for (const stream of live) addLive.run(stream);
      const addKey = this.db.prepare(
        'INSERT INTO idempotency_keys (key, order_id, fingerprint) VALUES (?, ?, ?)',
      );
      for (const [key, { orderId, fingerprint }] of keys) addKey.run(key, orderId, fingerprint);
      this.db.prepare('INSERT INTO kept_up_to (only_row, position) VALUES (1, ?)').run(previous);
    })();
  }

  /**
   * Feeds the views the streams of the live orders and of the latest `recentOrders` settled
   * ones, in log order, and takes the log's head as the position. Each stream is checked whole:
   * a live order must be placed and not settled, else the tables are rebuilt from the log.
   */
  private start(recentOrders: number, rebuilt = false): void {
    const live = new Set(
      this.db.prepare('SELECT stream FROM live_orders').pluck().all() as string[],
    );
    const streams = new Set(live);
    const recent = this.db
      .prepare('SELECT position, stream, type FROM events ORDER BY position DESC LIMIT ?')
      .iterate(recentOrders * EVENTS_PER_RECENT_ORDER) as IterableIterator<{
      position: number;
      stream: string;
      type: string;
    }>;
    /** The tail's events by stream, read by position: a stream read by its index must hold them. */
    const tail = new Map<string, number[]>();
    let settled = 0;
    for (const { position, stream, type } of recent) {
      if (settled >= recentOrders) break;
      tail.set(stream, [...(tail.get(stream) ?? []), position]);
      if (settles({ type: type as OrderEvent['type'] })) {
        streams.add(stream);
        settled++;
      }
    }
    const events: StoredEvent[] = [];
    for (const stream of streams) {
      const history = (this.statements.stream.all(stream) as EventRow[]).map(checked);
      history.forEach((read, i) => {
        if (read.stream !== stream || read.version !== i + 1)
          throw new Error(
            `event ${read.position} (${read.stream} v${read.version}) is out of sequence`,
          );
      });
      const positions = new Set(history.map(({ position }) => position));
      const missing = tail.get(stream)?.find((position) => !positions.has(position));
      if (missing !== undefined)
        throw new Error(`the index of the events misses event ${missing} of ${stream}`);
      const placed = history.length > 0 && places(history[0].event);
      if (!placed || (live.has(stream) && history.some(({ event }) => settles(event)))) {
        if (rebuilt) throw new Error(`stream ${stream} is not an order's`);
        this.logger.warn(
          `the live orders kept in ${this.path} do not match its log: rebuilding them`,
        );
        this.rebuildTables();
        return this.start(recentOrders, true);
      }
      events.push(...history);
    }
    events.sort((a, b) => a.position - b.position);
    for (const stored of events) this.live.record(stored);
    this.live.startAt(this.committedHead());
  }
}

/** The reads, prepared once. */
function prepareReads(db: Database.Database) {
  const columns = 'SELECT position, stream, version, data, checksum FROM events';
  return {
    stream: db.prepare(`${columns} WHERE stream = ? ORDER BY version`),
    page: db.prepare(`${columns} WHERE position >= ? ORDER BY position LIMIT ?`),
    everything: db.prepare(`${columns} ORDER BY position`),
    at: db.prepare('SELECT at FROM events WHERE position = ?'),
    head: db.prepare('SELECT max(position) FROM events'),
    version: db.prepare('SELECT max(version) FROM events WHERE stream = ?'),
    key: db.prepare('SELECT order_id, fingerprint FROM idempotency_keys WHERE key = ?'),
  };
}

/** One transaction's work: the events, and the tables kept from them up to the same position. */
function prepareWrites(db: Database.Database) {
  const insert = db.prepare(
    'INSERT INTO events (position, stream, version, type, at, data, checksum) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const addLive = db.prepare('INSERT INTO live_orders (stream) VALUES (?)');
  const settle = db.prepare('DELETE FROM live_orders WHERE stream = ?');
  const addKey = db.prepare(
    'INSERT INTO idempotency_keys (key, order_id, fingerprint) VALUES (?, ?, ?)',
  );
  const keptUpTo = db.prepare(
    'INSERT INTO kept_up_to (only_row, position) VALUES (1, ?) ON CONFLICT (only_row) DO UPDATE SET position = excluded.position',
  );
  return (batches: readonly (readonly StoredEvent[])[]) => {
    let last = 0;
    for (const batch of batches) {
      for (const { position, stream, version, event } of batch) {
        const data = JSON.stringify(event);
        insert.run(
          position,
          stream,
          version,
          event.type,
          event.at,
          data,
          checksum(position, stream, version, data),
        );
        if (places(event)) {
          addLive.run(stream);
          if (event.idempotency)
            addKey.run(event.idempotency.key, stream, event.idempotency.fingerprint);
        } else if (settles(event)) settle.run(stream);
        last = position;
      }
    }
    if (last > 0) keptUpTo.run(last);
  };
}

/** A row as an event, once its checksum holds: SQLite does not check row contents itself. */
function checked({ position, stream, version, data, checksum: stored }: EventRow): StoredEvent {
  if (stored !== checksum(position, stream, version, data)) {
    throw new Error(`event ${position} fails its checksum`);
  }
  return { position, stream, version, event: JSON.parse(data) as OrderEvent };
}

/**
 * Opens the file, makes it a WAL log that fsyncs every commit, and checks its structure: all of
 * it with `wholeFile`, else the parts whose size does not grow with history (the schema, the
 * live orders, the position they are kept up to), so that a start costs the same on a long log.
 * The events a start reads are checked row by row as they are read (checksum, sequence); the
 * rest of the file, by `make rebuild-views` (docs/adr/0014).
 */
function openLog(path: string, wholeFile: boolean): Database.Database {
  let db: Database.Database | undefined;
  try {
    checkHeader(path);
    db = new Database(path);
    // One process owns the file: a second café on it would serve views missing the other's writes.
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    // The schema before CREATE TABLE IF NOT EXISTS: nothing is written beside a damaged one.
    checkStructure(db, wholeFile ? 'integrity_check' : 'integrity_check(sqlite_schema)');
    db.exec(SCHEMA);
    if (!wholeFile) {
      for (const table of ['live_orders', 'kept_up_to'])
        checkStructure(db, `integrity_check(${table})`);
    }
    return db;
  } catch (error) {
    try {
      db?.close();
    } catch {
      // the first error is the one worth reporting
    }
    throw unreadable(path, error);
  }
}

function checkStructure(db: Database.Database, pragma: string): void {
  const problems = db.pragma(pragma) as { integrity_check: string }[];
  if (problems[0]?.integrity_check !== 'ok') {
    throw new Error(problems.map((problem) => problem.integrity_check).join('; '));
  }
}

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * SQLite opens a file shorter than its header as an empty database: a log cut that short must
 * be refused, not started empty. (An empty or missing file is a new log; in WAL mode the main
 * file may stay empty until the first checkpoint.)
 */
function checkHeader(path: string): void {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return; // missing: SQLite creates it
  }
  try {
    const head = Buffer.alloc(SQLITE_HEADER.length);
    const length = readSync(fd, head, 0, head.length, 0);
    if (length > 0 && !head.equals(SQLITE_HEADER)) throw new Error('no SQLite header');
  } finally {
    closeSync(fd);
  }
}

function unreadable(path: string, error: unknown): EventLogUnreadable {
  const reason = error instanceof Error ? error.message : String(error);
  return new EventLogUnreadable(
    `event log ${path} is damaged or not an event log (${reason}); refusing to start on it. ` +
      'Move it aside or restore it from a backup.',
  );
}

/** SQLite has no checksum of its own on row contents: a flipped byte in a row must not be read as an event. */
function checksum(position: number, stream: string, version: number, data: string): string {
  return createHash('sha256')
    .update(`${position}\n${stream}\n${version}\n${data}`)
    .digest('base64url')
    .slice(0, 16);
}

function exitOnFatal(): void {
  // The views are ahead of the disk: serving them would acknowledge what a restart forgets.
  process.exit(1);
}
