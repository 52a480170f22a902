import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import Database from 'better-sqlite3';
import { EventStoreUnavailable } from './event-store.errors';
import type { OrderEvent } from '../events';
import type { InlineProjection, StoredEvent } from './event-store';
import { InMemoryEventStore } from './in-memory-event-store';

/** The log file cannot be trusted; the message names the file. The café refuses to start on it. */
export class EventLogUnreadable extends Error {
  override readonly name = 'EventLogUnreadable';
}

export interface SqliteEventStoreOptions {
  /**
   * Called once when a commit fails. The views already include the failed events, so the
   * process must not go on serving them: by default it logs and exits with status 1, and the
   * next start replays what is on disk. See docs/adr/0003.
   */
  onFatal?: (error: Error) => void;
}

interface EventRow {
  position: number;
  stream: string;
  version: number;
  data: string;
  checksum: string;
}

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
  ) STRICT`;

/**
 * The durable adapter: the in-memory log serves every read; each append is also written to
 * SQLite and acknowledged only after its transaction committed. Appends made in one event-loop
 * turn share one transaction (group commit), flushed by `setImmediate`.
 */
export class SqliteEventStore extends InMemoryEventStore {
  private readonly db: Database.Database;
  private readonly writeBatches: (batches: readonly (readonly StoredEvent[])[]) => void;
  private readonly onFatal: (error: Error) => void;
  /** Batches recorded in memory whose transaction has not run yet. */
  private uncommitted: (readonly StoredEvent[])[] = [];
  private nextCommit?: Promise<void>;
  private unavailable?: EventStoreUnavailable;

  /**
   * Opens (or creates) the log at `path`, checks it and replays it into `projections`. Throws
   * EventLogUnreadable, naming the file, when the file is damaged.
   */
  constructor(
    readonly path: string,
    projections: readonly InlineProjection[],
    { onFatal = exitOnFatal }: SqliteEventStoreOptions = {},
  ) {
    super(projections);
    this.onFatal = onFatal;
    this.db = openLog(path);
    try {
      this.replay();
    } catch (error) {
      this.db.close();
      throw unreadable(path, error);
    }
    const insert = this.db.prepare(
      'INSERT INTO events (position, stream, version, type, at, data, checksum) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.writeBatches = this.db.transaction((batches: readonly (readonly StoredEvent[])[]) => {
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
        }
      }
    });
  }

  override append(
    stream: string,
    events: readonly OrderEvent[],
    expectedVersion: number,
  ): Promise<readonly StoredEvent[]> {
    if (this.unavailable) return Promise.reject(this.unavailable);
    return super.append(stream, events, expectedVersion);
  }

  /** Not after a failed commit or once closed: readiness then sends no order here. */
  override isWritable(): boolean {
    return this.unavailable === undefined;
  }

  override durable(): Promise<void> {
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

  async onModuleDestroy(): Promise<void> {
    await this.close();
  }

  protected override commit(batch: readonly StoredEvent[]): Promise<readonly StoredEvent[]> {
    this.uncommitted.push(batch);
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
    for (const batch of batches) this.notify(batch);
    resolve();
  }

  /** Reads the whole file back, checking every row, into the in-memory log and the projections. */
  private replay(): void {
    const rows = this.db
      .prepare('SELECT position, stream, version, data, checksum FROM events ORDER BY position')
      .iterate() as IterableIterator<EventRow>;
    for (const { position, stream, version, data, checksum: stored } of rows) {
      if (stored !== checksum(position, stream, version, data)) {
        throw new Error(`event ${position} fails its checksum`);
      }
      if (position !== this.position + 1 || version !== this.versionOf(stream) + 1) {
        throw new Error(`event ${position} (${stream} v${version}) is out of sequence`);
      }
      this.record({ position, stream, version, event: JSON.parse(data) as OrderEvent });
    }
  }
}

/** Opens the file, makes it a WAL log that fsyncs every commit, and checks its structure. */
function openLog(path: string): Database.Database {
  let db: Database.Database | undefined;
  try {
    checkHeader(path);
    db = new Database(path);
    // One process owns the file: a second café on it would serve views missing the other's writes.
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    const problems = db.pragma('integrity_check') as { integrity_check: string }[];
    if (problems[0]?.integrity_check !== 'ok') {
      throw new Error(problems.map((problem) => problem.integrity_check).join('; '));
    }
    db.exec(SCHEMA);
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
