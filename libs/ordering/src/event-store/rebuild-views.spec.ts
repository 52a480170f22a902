import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Client } from 'pg';
import { OrderFinished, OrderPlaced, OrderStarted } from '../events';
import { QueueProjection } from '../projections/queue.projection';
import {
  createTestDatabase,
  describeWithPostgres,
  type TestDatabase,
} from '../../../../test/support/postgres-database';
import type { EventStore } from './event-store';
import { PostgresEventStore } from './postgres-event-store';
import { rebuildViews } from './rebuild-views';
import { SqliteEventStore } from './sqlite-event-store';

const placed = (id: string) => new OrderPlaced(id, 'americano', '127.0.0.1', 1);

/** Three orders: one finished, one brewing since 5, one queued. */
async function fill(store: EventStore & { close(): Promise<void> }): Promise<void> {
  for (const id of ['done', 'brewing', 'queued']) await store.append(id, [placed(id)], 0);
  await store.append('done', [new OrderStarted('done', 2), new OrderFinished('done', 3)], 1);
  await store.append('brewing', [new OrderStarted('brewing', 5)], 1);
  await store.close();
}

function liveViews(queue: QueueProjection) {
  return { queued: queue.ids(), brewing: [...queue.brewingByStart()] };
}

const LIVE = { queued: ['queued'], brewing: [{ orderId: 'brewing', startedAt: 5 }] };

describe('rebuilding the views from the whole log, on SQLite', () => {
  let dir: string;
  let file: string;
  let n = 0;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'cafe-rebuild-'))));
  beforeEach(async () => {
    file = join(dir, `${++n}.db`);
    await fill(new SqliteEventStore(file, []));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Changes the tables kept beside the log behind the store's back. */
  function tamper(sql: string): void {
    const db = new Database(file);
    db.exec(sql);
    db.close();
  }

  async function start(): Promise<QueueProjection> {
    const queue = new QueueProjection();
    await new SqliteEventStore(file, [queue]).close();
    return queue;
  }

  it('refills the live orders from the log, whatever the table held, and checks a start against a replay', async () => {
    tamper('DELETE FROM live_orders');
    expect(liveViews(await start())).toEqual({ queued: [], brewing: [] }); // trusted, until rebuilt
    expect(await rebuildViews({ kind: 'sqlite', path: file })).toEqual({
      events: 6,
      queued: 1,
      brewing: 1,
    });
    expect(liveViews(await start())).toEqual(LIVE);
  });

  it('rebuilds at start a table that holds a settled order', async () => {
    tamper("INSERT INTO live_orders VALUES ('done')");
    expect(liveViews(await start())).toEqual(LIVE);
  });

  it('rebuilds at start tables that are not at the log’s head (a log written before them)', async () => {
    tamper('DELETE FROM live_orders; DELETE FROM kept_up_to');
    expect(liveViews(await start())).toEqual(LIVE);
  });
});

describeWithPostgres()('rebuilding the views from the whole log, on PostgreSQL', () => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await createTestDatabase();
    await fill(await PostgresEventStore.open(database.url, []));
  }, 30_000);
  afterEach(() => database.drop(), 30_000);

  async function tamper(sql: string): Promise<void> {
    const client = new Client({ connectionString: database.url });
    await client.connect();
    await client.query(sql).finally(() => client.end());
  }

  async function start(): Promise<QueueProjection> {
    const queue = new QueueProjection();
    await (await PostgresEventStore.open(database.url, [queue])).close();
    return queue;
  }

  it('refills the live orders from the log, whatever the table held, and checks a start against a replay', async () => {
    await tamper('DELETE FROM cafe_live_orders');
    expect(liveViews(await start())).toEqual({ queued: [], brewing: [] }); // trusted, until rebuilt
    expect(await rebuildViews({ kind: 'postgres', url: database.url })).toEqual({
      events: 6,
      queued: 1,
      brewing: 1,
    });
    expect(liveViews(await start())).toEqual(LIVE);
  });

  it('rebuilds at start a table that holds a settled order', async () => {
    await tamper("INSERT INTO cafe_live_orders VALUES ('done')");
    expect(liveViews(await start())).toEqual(LIVE);
  });
});
