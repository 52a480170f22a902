import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Pool, type PoolClient } from 'pg';
import {
  EventStoreUnavailable,
  IdempotencyKeyTaken,
  WrongExpectedVersion,
} from './event-store.errors';
import { type OrderEvent, OrderStarted } from '../events';
import type { InlineProjection, StoredEvent } from './event-store';
import { InMemoryEventStore } from './in-memory-event-store';

/** The log could not be opened at start; the message names the cause. The café refuses to start. */
export class EventLogUnreachable extends Error {
  override readonly name = 'EventLogUnreachable';
}

export interface PostgresEventStoreOptions {
  /** How long to wait before connecting the LISTEN session again after it was lost. */
  reconnectMs?: number;
}

/** What a caller waits for: the stored events, none when a claim found the queue empty. */
interface Settles {
  resolve(batch: readonly StoredEvent[]): void;
  reject(error: Error): void;
}

interface PendingAppend extends Settles {
  readonly stream: string;
  readonly expectedVersion: number;
  readonly events: readonly OrderEvent[];
}

/** A start of whichever order is oldest in the queue, decided by `cafe_append` (migration 002). */
interface PendingClaim extends Settles {
  readonly claim: { readonly at: number; readonly barista?: string };
}

type Pending = PendingAppend | PendingClaim;

interface AppendResult {
  first_position: string | null;
  refused: 'version' | 'key' | 'empty' | null;
  actual_version: number | null;
  stream: string | null;
}

interface EventRow {
  position: string;
  stream: string;
  version: number;
  data: OrderEvent;
}

/** What `cafe_append` NOTIFYs at commit: the log's head, with the group's events when they fit. */
interface Notification {
  head: number;
  events?: { position: number; stream: string; version: number; data: OrderEvent }[];
}

const MIGRATIONS = join(__dirname, 'migrations');
/** Events read per query while catching up. */
const CATCH_UP_PAGE = 1000;
const CHANNEL = 'cafe_events';
/** How the LISTEN session shows in pg_stat_activity. */
export const LISTENER_NAME = 'cafe-follower';

/**
 * The shared adapter: one PostgreSQL log for a fleet of instances. Each instance keeps the log
 * it has seen in memory (reads and views are served from it) and follows the database by
 * position. Appends go to the database first, in groups (the appends made while the previous
 * group is in flight share one transaction); only once committed do they enter this process's
 * views, in position order, with whatever other instances appended before them. LISTEN/NOTIFY
 * only wakes the follower: what it trusts is a read by position (docs/adr/0012).
 */
export class PostgresEventStore extends InMemoryEventStore {
  override readonly sharedLog = true;
  private pending: Pending[] = [];
  private writing?: Promise<void>;
  /** Every change to the views runs on this chain, one at a time, in position order. */
  private following: Promise<void> = Promise.resolve();
  private nextRead?: Promise<void>;
  /** The newest position this instance's own appends reached in the database. */
  private ownHead = 0;
  private listener?: Client;
  private lost?: Error;
  private closed = false;
  private readonly reconnectMs: number;

  private constructor(
    private readonly pool: Pool,
    private readonly url: string,
    projections: readonly InlineProjection[],
    { reconnectMs = 500 }: PostgresEventStoreOptions,
  ) {
    super(projections);
    this.reconnectMs = reconnectMs;
  }

  /**
   * Connects, creates or migrates the schema (once, however many instances start together),
   * reads the whole log into `projections` and starts following it. Throws EventLogUnreachable
   * when the server refuses the connection or the rights, or the schema cannot be applied.
   */
  static async open(
    url: string,
    projections: readonly InlineProjection[],
    options: PostgresEventStoreOptions = {},
  ): Promise<PostgresEventStore> {
    const pool = new Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 5000 });
    // An idle connection that breaks is replaced on the next query; the error alone is not fatal.
    pool.on('error', () => undefined);
    const store = new PostgresEventStore(pool, url, projections, options);
    try {
      await migrate(pool);
      await store.caughtUp();
      await store.listen();
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
    return this.enqueue((settles) => ({ stream, expectedVersion, events, ...settles }));
  }

  /**
   * Starts the oldest queued order in the database, in the transaction of its append, so that
   * instances never hand out one order twice nor out of placing order (docs/adr/0012).
   * Resolves once committed and in the views, with nothing when the queue is empty.
   */
  override startOldestQueued(at: number, barista?: string): Promise<StoredEvent | undefined> {
    if (this.closed) return Promise.reject(new EventStoreUnavailable('the café is closing'));
    return this.enqueue((settles) => ({ claim: { at, barista }, ...settles })).then(
      ([started]) => started,
    );
  }

  private enqueue(pending: (settles: Settles) => Pending): Promise<readonly StoredEvent[]> {
    return new Promise((resolve, reject) => {
      this.pending.push(pending({ resolve, reject }));
      // The first append waits for the turn to end, so that the turn's appends share a commit.
      this.writing ??= new Promise<void>((done) => setImmediate(done)).then(() => this.write());
    });
  }

  /** Down while the database cannot be reached (the last query or the LISTEN session failed) or once closed. */
  override isWritable(): boolean {
    return !this.closed && this.lost === undefined;
  }

  /** Views take in only committed events; this waits for the groups in flight to commit. */
  override durable(): Promise<void> {
    return this.writing ?? Promise.resolve();
  }

  /** Reads what other instances committed since the last read; calls made meanwhile share one read. */
  override caughtUp(): Promise<void> {
    this.nextRead ??= this.follow(() => {
      this.nextRead = undefined;
      return this.readNew();
    });
    return this.nextRead;
  }

  /** Lets the appends in flight settle, stops following and closes the connections. */
  async close(): Promise<void> {
    while (this.writing) await this.writing;
    this.closed = true;
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
    await this.following;
    await this.pool.end().catch(() => undefined);
  }

  async onModuleDestroy(): Promise<void> {
    await this.close();
  }

  /** Sends the pending appends as groups, one transaction at a time, until none is left. */
  private async write(): Promise<void> {
    while (this.pending.length > 0) {
      const group = this.pending;
      this.pending = [];
      await this.writeGroup(group);
    }
    this.writing = undefined;
  }

  private async writeGroup(group: readonly Pending[]): Promise<void> {
    let results: AppendResult[];
    try {
      ({ rows: results } = await this.pool.query<AppendResult>(
        'SELECT first_position, refused, actual_version, stream FROM cafe_append($1::jsonb)',
        [JSON.stringify(group.map(toAppendRow))],
      ));
      this.reachable();
    } catch (error) {
      // Not acknowledged: if the commit happened after all, the follower reads it like any other.
      const unavailable = this.unreachable(error);
      for (const append of group) append.reject(unavailable);
      return;
    }
    const landed: { append: Pending; batch: StoredEvent[] }[] = [];
    results.forEach((result, i) => {
      const append = group[i];
      if (result.refused === 'empty') {
        append.resolve([]);
      } else if (result.refused === 'version') {
        const { stream, expectedVersion } = append as PendingAppend;
        append.reject(
          new WrongExpectedVersion(stream, expectedVersion, Number(result.actual_version)),
        );
      } else if (result.refused === 'key') {
        append.reject(new IdempotencyKeyTaken(idempotencyKeyOf(append as PendingAppend) as string));
      } else {
        landed.push({ append, batch: storedBy(append, result) });
      }
    });
    if (landed.length === 0) return;
    const last = landed[landed.length - 1].batch;
    this.ownHead = last[last.length - 1].position;
    // Not awaited: the next group goes to the database while this one enters the views, in
    // turn on the follow chain, so groups still enter them in the order they committed.
    this.follow(() => this.recordOwn(landed.map(({ batch }) => batch))).then(
      () => {
        for (const { append, batch } of landed) append.resolve(batch);
      },
      (error: unknown) => {
        // Committed, but this process could not read up to it: the customer is not told yet.
        const unavailable = this.unreachable(error);
        for (const { append } of landed) append.reject(unavailable);
      },
    );
  }

  /**
   * Brings this group's committed events into the views: straight from memory when nothing
   * committed between them and what the views hold, otherwise by a read from the database.
   */
  private async recordOwn(batches: readonly StoredEvent[][]): Promise<void> {
    for (const batch of batches) {
      if (batch[0].position > this.position + 1) await this.readNew();
      if (batch[0].position !== this.position + 1) continue; // the read brought it
      for (const stored of batch) this.record(stored);
      this.notify(batch);
    }
  }

  /** Reads every event after the views' position, in pages, into the views. */
  private async readNew(): Promise<void> {
    for (;;) {
      let rows: EventRow[];
      try {
        ({ rows } = await this.pool.query<EventRow>(
          'SELECT position, stream, version, data FROM cafe_events WHERE position > $1 ORDER BY position LIMIT $2',
          [this.position, CATCH_UP_PAGE],
        ));
        this.reachable();
      } catch (error) {
        throw this.unreachable(error);
      }
      if (rows.length === 0) return;
      const batch = rows.map(({ position, stream, version, data }) => ({
        position: Number(position),
        stream,
        version,
        event: data,
      }));
      this.take(batch);
      if (rows.length < CATCH_UP_PAGE) return;
    }
  }

  /** Records a run of events that starts right after the views' position, and tells the listeners. */
  private take(batch: readonly StoredEvent[]): void {
    for (const stored of batch) {
      if (stored.position !== this.position + 1) {
        throw new Error(`event ${stored.position} follows ${this.position}: the log has a gap`);
      }
      this.record(stored);
    }
    this.notify(batch);
  }

  /**
   * Another instance committed up to `head`: its events, when the notification carries them
   * and they continue the views, go in as they are; anything else is read by position.
   */
  private takeNotified({ head, events }: Notification): Promise<void> {
    return this.follow(async () => {
      const fresh = events?.filter(({ position }) => position > this.position) ?? [];
      if (fresh[0]?.position === this.position + 1) {
        this.take(
          fresh.map(({ position, stream, version, data }) => ({
            position,
            stream,
            version,
            event: data,
          })),
        );
      }
      if (this.position < head) await this.readNew();
    });
  }

  private follow(step: () => Promise<void>): Promise<void> {
    const run = this.following.then(step);
    this.following = run.catch(() => undefined);
    return run;
  }

  /** One session that LISTENs; lost, it is opened again, then a read catches up on what it missed. */
  private async listen(): Promise<void> {
    const listener = new Client({
      connectionString: this.url,
      connectionTimeoutMillis: 5000,
      application_name: LISTENER_NAME,
    });
    listener.on('notification', ({ payload }) => {
      const notified = parseNotification(payload);
      // A commit at or below our own newest one needs nothing: recordOwn reads any gap below
      // its group itself. Only other instances' later commits do.
      if (notified.head <= Math.max(this.position, this.ownHead)) return;
      void this.takeNotified(notified).catch(() => undefined);
    });
    listener.on('error', (error) => this.unreachable(error));
    listener.on('end', () => {
      if (this.listener !== listener || this.closed) return;
      this.listener = undefined;
      this.unreachable(new Error('the LISTEN session ended'));
      this.relisten();
    });
    await listener.connect();
    await listener.query(`LISTEN ${CHANNEL}`);
    this.listener = listener;
  }

  private relisten(): void {
    setTimeout(() => {
      if (this.closed) return;
      this.listen()
        .then(() => this.caughtUp())
        .catch(() => this.relisten());
    }, this.reconnectMs).unref();
  }

  private reachable(): void {
    if (this.lost && this.listener) this.lost = undefined;
  }

  private unreachable(error: unknown): EventStoreUnavailable {
    this.lost = error instanceof Error ? error : new Error(String(error));
    return new EventStoreUnavailable(`PostgreSQL: ${reason(error)}`);
  }
}

/** The events an append or a claim stored, from `cafe_append`'s answer. */
function storedBy(pending: Pending, { first_position, actual_version, stream }: AppendResult) {
  const first = Number(first_position);
  const version = Number(actual_version);
  const events =
    'claim' in pending
      ? [new OrderStarted(stream as string, pending.claim.at, pending.claim.barista)]
      : pending.events;
  return events.map((event, n) => ({
    position: first + n,
    stream: stream as string,
    version: version + n + 1,
    event,
  }));
}

/** A payload that is not a notification of ours (or an older schema's bare head) only wakes a read. */
function parseNotification(payload: string | undefined): Notification {
  try {
    const parsed = JSON.parse(payload ?? '') as Notification | number;
    return typeof parsed === 'number' ? { head: parsed } : parsed;
  } catch {
    return { head: Infinity };
  }
}

/** What `cafe_append` takes for one append or claim. */
function toAppendRow(pending: Pending) {
  if ('claim' in pending) {
    const { at, barista } = pending.claim;
    return { claim: { type: 'OrderStarted', at, ...(barista === undefined ? {} : { barista }) } };
  }
  const { stream, expectedVersion, events } = pending;
  const key = idempotencyKeyOf({ events });
  const fingerprint = key === undefined ? undefined : placedBy(events)?.idempotency?.fingerprint;
  return {
    stream,
    expected: expectedVersion,
    events,
    ...(key === undefined ? {} : { key: { key, fingerprint } }),
  };
}

function placedBy(events: readonly OrderEvent[]) {
  const first = events[0];
  return first?.type === 'OrderPlaced' ? first : undefined;
}

function idempotencyKeyOf({ events }: { events: readonly OrderEvent[] }): string | undefined {
  return placedBy(events)?.idempotency?.key;
}

/**
 * Applies the SQL files of `migrations/` that the database has not recorded, in name order,
 * each in its own transaction, under an advisory lock: instances starting together wait for
 * the first one, then find nothing left to do.
 */
async function migrate(pool: Pool): Promise<void> {
  const client: PoolClient = await pool.connect();
  try {
    await client.query("SELECT pg_advisory_lock(hashtext('cafe_migrations'))");
    try {
      await client.query(
        'CREATE TABLE IF NOT EXISTS cafe_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
      );
      const { rows } = await client.query<{ name: string }>('SELECT name FROM cafe_migrations');
      const applied = new Set(rows.map(({ name }) => name));
      for (const name of readdirSync(MIGRATIONS)
        .filter((file) => file.endsWith('.sql'))
        .sort()) {
        if (applied.has(name)) continue;
        await client.query('BEGIN');
        try {
          await client.query(readFileSync(join(MIGRATIONS, name), 'utf8'));
          await client.query('INSERT INTO cafe_migrations (name) VALUES ($1)', [name]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw new Error(`migration ${name} failed: ${reason(error)}`);
        }
      }
    } finally {
      await client.query("SELECT pg_advisory_unlock(hashtext('cafe_migrations'))");
    }
  } finally {
    client.release();
  }
}

/** The URL without its password, for messages. */
function redacted(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'the given URL';
  }
}

/** The cause in one line. Duck-typed: node's network errors may come from another realm than ours. */
function reason(error: unknown): string {
  const { errors, message } = (error ?? {}) as { errors?: unknown[]; message?: unknown };
  if (Array.isArray(errors) && errors.length > 0) return reason(errors[0]);
  return typeof message === 'string' && message !== '' ? message : String(error);
}
