import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import {
  createTestDatabase,
  DATABASE_URL,
  describeWithPostgres,
  type TestDatabase,
} from '../../../../test/support/postgres-database';
import { eventually } from '../../../../test/support/http-client';
import { TcpProxy } from '@cafe/simulation';
import {
  EventStoreUnavailable,
  IdempotencyKeyTaken,
  WrongExpectedVersion,
} from './event-store.errors';
import { OrderFinished, OrderPlaced, OrderRequeued, OrderStarted } from '../events';
import type { StoredEvent } from './event-store';
import { PostgresEventStore } from './postgres-event-store';
import { LISTENER_NAME } from './postgres-follower';
import { EventLogUnreachable } from './postgres-link';

const placed = (id: string, key?: string) =>
  new OrderPlaced(
    id,
    'americano',
    '127.0.0.1',
    Date.now(),
    key ? { key, fingerprint: 'f' } : undefined,
  );

async function query(url: string, sql: string, values: unknown[] = []) {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, values)).rows;
  } finally {
    await client.end();
  }
}

/** Resolves once `store` has told its listeners of `position`. */
function told(store: PostgresEventStore, position: number): Promise<void> {
  return new Promise((resolve) => {
    const unsubscribe = store.subscribe((batch) => {
      if (batch.some((stored) => stored.position === position)) {
        unsubscribe();
        resolve();
      }
    });
  });
}

const summary = (events: readonly StoredEvent[]) =>
  events.map(({ position, stream, version }) => `${position}:${stream}@${version}`);

describeWithPostgres()('the PostgreSQL event store shared by several instances', () => {
  let database: TestDatabase;
  let stores: PostgresEventStore[] = [];
  const open = async (url = database.url) => {
    const store = await PostgresEventStore.open(url, [], { reconnectMs: 50 });
    stores.push(store);
    return store;
  };

  beforeEach(async () => (database = await createTestDatabase()));
  afterEach(async () => {
    await Promise.all(stores.map((store) => store.close()));
    stores = [];
    await database.drop();
  }, 30_000);

  it('migrates once when three instances start at the same moment, then they share one log', async () => {
    const [a, b, c] = await Promise.all([open(), open(), open()]);
    const files = readdirSync(join(__dirname, 'migrations')).filter((f) => f.endsWith('.sql'));
    const applied = await query(database.url, 'SELECT name FROM cafe_migrations ORDER BY name');
    expect(applied.map(({ name }) => name)).toEqual(files.sort());

    const seenByC = told(c, 1);
    await a.append('x', [placed('x')], 0);
    await seenByC; // woken by NOTIFY, no read asked for
    await b.caughtUp();
    expect(summary(await b.readAll())).toEqual(['1:x@1']);
    expect(summary(await c.readStream('x'))).toEqual(['1:x@1']);
  });

  it('never lets a follower skip an event: appends racing from three instances give one gap-free log everywhere', async () => {
    const instances = await Promise.all([open(), open(), open()]);
    const heard = instances.map((store) => {
      const positions: number[] = [];
      store.subscribe((batch) => positions.push(...batch.map((stored) => stored.position)));
      return positions;
    });
    const appends = Array.from({ length: 300 }, (_, i) =>
      instances[i % 3].append(`o${i}`, [placed(`o${i}`)], 0),
    );
    await Promise.all(appends);
    await Promise.all(instances.map((store) => store.caughtUp()));
    const everyPosition = Array.from({ length: 300 }, (_, i) => i + 1);
    const logs = await Promise.all(instances.map(async (store) => summary(await store.readAll())));
    for (const [i, log] of logs.entries()) {
      expect(log).toEqual(logs[0]);
      expect(heard[i]).toEqual(everyPosition);
    }
    expect((await instances[0].readAll()).map((stored) => stored.position)).toEqual(everyPosition);
  });

  it('lets the database decide between instances: one append per stream version, one order per Idempotency-Key', async () => {
    const [a, b] = await Promise.all([open(), open()]);
    await a.append('x', [placed('x')], 0);
    await b.caughtUp();
    const starts = await Promise.allSettled([
      a.append('x', [new OrderStarted('x', 2)], 1),
      b.append('x', [new OrderStarted('x', 3)], 1),
    ]);
    expect(starts.map(({ status }) => status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(starts.find((s) => s.status === 'rejected')).toMatchObject({
      reason: expect.any(WrongExpectedVersion),
    });

    const keyed = await Promise.allSettled([
      a.append('k1', [placed('k1', 'key-1')], 0),
      b.append('k2', [placed('k2', 'key-1')], 0),
    ]);
    expect(keyed.map(({ status }) => status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(keyed.find((s) => s.status === 'rejected')).toMatchObject({
      reason: expect.any(IdempotencyKeyTaken),
    });
    const rows = await query(
      database.url,
      "SELECT count(*)::int AS n FROM cafe_events WHERE type = 'OrderPlaced'",
    );
    expect(rows[0].n).toBe(2);
  });

  it('claims in the database: 30 starts over three instances take 15 queued orders once each, oldest first', async () => {
    const instances = await Promise.all([open(), open(), open()]);
    for (let i = 0; i < 15; i++) await instances[i % 3].append(`o${i}`, [placed(`o${i}`)], 0);
    // Not caught up on purpose: the claim reads the database's queue, not the views.
    const claims = await Promise.all(
      Array.from({ length: 30 }, (_, i) => instances[i % 3].startOldestQueued(Date.now(), `b${i}`)),
    );
    const started = claims.filter((claim) => claim !== undefined);
    expect(started).toHaveLength(15);
    expect(started.map(({ event }) => event.type)).toEqual(Array(15).fill('OrderStarted'));
    expect(
      started
        .sort((x, y) => x.position - y.position)
        .map(({ stream, version }) => `${stream}@${version}`),
    ).toEqual(Array.from({ length: 15 }, (_, i) => `o${i}@2`));
  });

  it('writes nothing for a group in which nothing lands: a claim that waited for a taken order costs no WAL flush', async () => {
    const store = await open();
    await store.append('o', [placed('o')], 0);
    const [winner, loser] = [new Client(database.url), new Client(database.url)];
    await Promise.all([winner.connect(), loser.connect()]);
    const claim = JSON.stringify({ claim: { type: 'OrderStarted', at: 1 } });
    const appendRows = (client: Client, group: string) =>
      client.query<{ refused: string | null }>('SELECT refused FROM cafe_append($1::jsonb)', [
        `[${group}]`,
      ]);
    try {
      await Promise.all([winner.query('BEGIN'), loser.query('BEGIN')]);
      expect((await appendRows(winner, claim)).rows).toEqual([{ refused: null }]);
      // The loser still sees `o` queued, so it waits for the log's lock, which the winner holds.
      const losing = appendRows(
        loser,
        `${claim}, ${JSON.stringify({ stream: 'o', expected: 1, events: [] })}`,
      );
      await eventually(async () => {
        const [{ waiting }] = await query(
          database.url,
          "SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
        );
        return waiting === 1;
      });
      await winner.query('COMMIT');
      expect((await losing).rows).toEqual([{ refused: 'empty' }, { refused: 'version' }]);
      // No transaction id: the transaction wrote nothing, so its commit has nothing to flush.
      const { rows } = await loser.query<{ xid: string | null }>(
        'SELECT pg_current_xact_id_if_assigned()::text AS xid',
      );
      expect(rows).toEqual([{ xid: null }]);
    } finally {
      await Promise.all([winner.end(), loser.end()]);
    }
  });

  it("notifies a commit with its events while they fit PostgreSQL's payload, and with the head alone past it", async () => {
    const [a, b] = await Promise.all([open(), open()]);
    const listener = new Client(database.url);
    await listener.connect();
    const payloads: { head: number; events?: { position: number; stream: string }[] }[] = [];
    listener.on('notification', ({ payload }) => payloads.push(JSON.parse(payload as string)));
    try {
      await listener.query('LISTEN cafe_events');
      await a.append('one', [placed('one')], 0);
      const many = Array.from({ length: 100 }, (_, i) => `many${i}`);
      await Promise.all(many.map((id) => a.append(id, [placed(id)], 0)));
      await eventually(() => payloads.length === 2);
      expect(payloads).toEqual([
        { head: 1, events: [expect.objectContaining({ position: 1, stream: 'one' })] },
        { head: 101 },
      ]);
      await b.caughtUp();
      expect((await b.readAll()).map(({ stream }) => stream)).toEqual(['one', ...many]);
    } finally {
      await listener.end();
    }
  });

  it('puts a requeued order back at its place in the database queue, and a finished one out of it', async () => {
    const [a, b] = await Promise.all([open(), open()]);
    for (const id of ['x', 'y', 'z']) await a.append(id, [placed(id)], 0);
    expect((await b.startOldestQueued(Date.now()))?.stream).toBe('x');
    expect((await a.startOldestQueued(Date.now()))?.stream).toBe('y');
    await a.caughtUp(); // b's start of x
    await a.append('x', [new OrderRequeued('x', Date.now())], 2);
    await a.append('y', [new OrderFinished('y', Date.now())], 2);
    expect((await b.startOldestQueued(Date.now()))?.stream).toBe('x');
    expect((await b.startOldestQueued(Date.now()))?.stream).toBe('z');
    expect(await a.startOldestQueued(Date.now())).toBeUndefined();
  });

  it("keeps the live orders from each row's settles flag, the domain's word, and from the event names only for a row without one", async () => {
    const store = await open();
    await store.append('done', [placed('done')], 0);
    await store.append('done', [new OrderStarted('done', 2), new OrderFinished('done', 3)], 1);
    await store.append('claimed', [placed('claimed')], 0);
    expect((await store.startOldestQueued(4))?.stream).toBe('claimed');
    // Items as cafe_append takes them: with flags that contradict the event's name, as no
    // release writes, so that only the flag can explain the table; and without flags, as an
    // instance of the release before migration 009 sends them during a rolling upgrade.
    const item = (stream: string, expected: number, type: string, settles?: boolean) => ({
      stream,
      expected,
      events: [
        type === 'OrderPlaced'
          ? placed(stream)
          : { type, orderId: stream, at: 5, reason: 'customer_left' },
      ],
      queued: expected === 0,
      ...(settles === undefined ? {} : { settles: [settles] }),
    });
    const items = [
      item('flagged', 0, 'OrderPlaced', false),
      item('flagged', 1, 'OrderStarted', true),
      item('kept', 0, 'OrderPlaced', false),
      item('kept', 1, 'OrderCancelled', false),
      item('old', 0, 'OrderPlaced'),
      item('old', 1, 'OrderCancelled'),
      item('old-live', 0, 'OrderPlaced'),
    ];
    const refusals = await query(database.url, 'SELECT refused FROM cafe_append($1::jsonb)', [
      JSON.stringify(items),
    ]);
    expect(refusals.map(({ refused }) => refused)).toEqual(items.map(() => null));

    const rows = await query(
      database.url,
      'SELECT stream, version, settles FROM cafe_events ORDER BY position',
    );
    expect(rows.map(({ stream, version, settles }) => `${stream}@${version}:${settles}`)).toEqual([
      'done@1:false',
      'done@2:false',
      'done@3:true',
      'claimed@1:false',
      'claimed@2:false', // the claim's OrderStarted, built in the database
      'flagged@1:false',
      'flagged@2:true',
      'kept@1:false',
      'kept@2:false',
      'old@1:null',
      'old@2:null',
      'old-live@1:null',
    ]);
    const live = async () =>
      (await query(database.url, 'SELECT stream FROM cafe_live_orders ORDER BY stream')).map(
        ({ stream }) => stream,
      );
    const expected = ['claimed', 'kept', 'old-live'];
    expect(await live()).toEqual(expected);
    await query(database.url, 'DELETE FROM cafe_live_orders');
    await query(database.url, 'SELECT cafe_rebuild_live_orders()');
    expect(await live()).toEqual(expected);
  });

  it('loses nothing when its LISTEN session is cut: it reconnects and reads what it missed', async () => {
    const [a, b] = await Promise.all([open(), open()]);
    await query(
      database.url,
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1',
      [LISTENER_NAME],
    );
    await a.append('x', [placed('x')], 0); // possibly before b listens again
    await a.append('y', [placed('y')], 0);
    const deadline = Date.now() + 10_000;
    while ((await b.head()) < 2 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    expect(summary(await b.readAll())).toEqual(['1:x@1', '2:y@1']);
  });

  it('refuses appends while the database is unreachable, acknowledges nothing, and recovers by itself', async () => {
    const proxy = await TcpProxy.start(new URL(DATABASE_URL));
    const store = await open(proxy.through(database.url));
    await store.append('x', [placed('x')], 0);

    await proxy.cut();
    await expect(store.append('y', [placed('y')], 0)).rejects.toThrow(EventStoreUnavailable);
    expect(store.isWritable()).toBe(false);
    const rows = await query(database.url, 'SELECT stream FROM cafe_events ORDER BY position');
    expect(rows.map(({ stream }) => stream)).toEqual(['x']);

    await proxy.restore();
    const deadline = Date.now() + 10_000;
    while (!store.isWritable() && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    expect(store.isWritable()).toBe(true);
    await store.append('y', [placed('y')], 0);
    expect(summary(await store.readAll())).toEqual(['1:x@1', '2:y@1']);
    await store.close();
    await proxy.cut();
  }, 20_000);

  it('finds a silent network by its deadlines, refuses meanwhile, and after the heal replaces the half-open sessions and catches up', async () => {
    const proxy = await TcpProxy.start(new URL(DATABASE_URL));
    const deadlines = { heartbeatMs: 200, queryTimeoutMs: 500, connectTimeoutMs: 500 };
    const cut = await PostgresEventStore.open(proxy.through(database.url), [], {
      reconnectMs: 50,
      ...deadlines,
    });
    stores.push(cut);
    const direct = await open();
    await cut.append('x', [placed('x')], 0);

    proxy.blackHole();
    // Nothing closes: only the heartbeat's deadline can tell.
    await eventually(async () => !cut.isWritable(), 10_000);
    await expect(cut.append('y', [placed('y')], 0)).rejects.toThrow(EventStoreUnavailable);
    await direct.append('z', [placed('z')], 0);

    proxy.heal();
    await eventually(async () => cut.isWritable() && (await cut.head()) === 2, 10_000);
    await cut.append('y', [placed('y')], 0);
    expect(summary(await cut.readAll())).toEqual(['1:x@1', '2:z@1', '3:y@1']);
    await cut.close();
    await proxy.cut();
  }, 30_000);
});

describeWithPostgres()('opening the PostgreSQL event store', () => {
  it('stops on a refused connection, naming the cause', async () => {
    await expect(
      PostgresEventStore.open('postgres://postgres@127.0.0.1:1/cafe', []),
    ).rejects.toThrow(
      new EventLogUnreachable(
        'PostgreSQL at postgres://postgres@127.0.0.1:1/cafe: connect ECONNREFUSED 127.0.0.1:1',
      ),
    );
  });

  it('stops on a missing database, naming it', async () => {
    const url = new URL(DATABASE_URL);
    url.pathname = '/cafe_no_such_database';
    await expect(PostgresEventStore.open(url.toString(), [])).rejects.toThrow(
      /database "cafe_no_such_database" does not exist/,
    );
  });

  it('stops when the user may not create the schema, naming the right', async () => {
    const database = await createTestDatabase();
    const role = `cafe_reader_${Date.now()}`;
    await query(database.url, `CREATE ROLE ${role} LOGIN`);
    try {
      const url = new URL(database.url);
      url.username = role;
      await expect(PostgresEventStore.open(url.toString(), [])).rejects.toThrow(
        /permission denied for schema public/,
      );
    } finally {
      await database.drop();
      await query(DATABASE_URL, `DROP ROLE ${role}`);
    }
  });
});
