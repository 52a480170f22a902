import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import type Database from 'better-sqlite3';
import { EventStoreUnavailable } from './event-store.errors';
import { OrderPlaced, OrderStarted } from '../events';
import { OrderStates } from '../orders/order-states';
import { QueueProjection } from '../projections/queue.projection';
import { EventLogUnreadable, SqliteEventStore } from './sqlite-event-store';

const placed = (id: string) => new OrderPlaced(id, 'americano', '127.0.0.1', 1);

/** The store's own connection: another one could not read the exclusively locked file. */
const dbOf = (store: SqliteEventStore) => (store as unknown as { db: Database.Database }).db;
const rowsOnDisk = (store: SqliteEventStore) =>
  (dbOf(store).prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;

describe('the SQLite event store', () => {
  let dir: string;
  let file: string;
  let n = 0;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'cafe-sqlite-'))));
  beforeEach(() => (file = join(dir, `${++n}.db`)));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('acknowledges an append only after its transaction committed', async () => {
    const store = new SqliteEventStore(file, []);
    const appended = store.append('a', [placed('a')], 0);
    expect(rowsOnDisk(store)).toBe(0);
    await appended;
    expect(rowsOnDisk(store)).toBe(1);
    await store.close();
  });

  it('commits the appends of one event-loop turn in one transaction', async () => {
    const store = new SqliteEventStore(file, []);
    const transactions = jest.spyOn(store as never, 'writeBatches' as never);
    await Promise.all(
      Array.from({ length: 50 }, (_, i) => store.append(`o${i}`, [placed(`o${i}`)], 0)),
    );
    expect(transactions).toHaveBeenCalledTimes(1);
    await store.append('o0', [new OrderStarted('o0', 2)], 1);
    expect(transactions).toHaveBeenCalledTimes(2);
    expect(rowsOnDisk(store)).toBe(51);
    await store.close();
  });

  it('replays the file into fresh projections on open: the same log and the same views', async () => {
    const before = { queue: new QueueProjection(), orders: new OrderStates() };
    const first = new SqliteEventStore(file, [before.queue, before.orders]);
    for (const id of ['a', 'b', 'c']) await first.append(id, [placed(id)], 0);
    await first.append('b', [new OrderStarted('b', 2, 'ana')], 1);
    const log = [...(await first.readAll())];
    await first.close();

    const after = { queue: new QueueProjection(), orders: new OrderStates() };
    const second = new SqliteEventStore(file, [after.queue, after.orders]);
    expect([...(await second.readAll())]).toEqual(log);
    expect(after.queue.ids()).toEqual(['a', 'c']);
    expect([...after.orders.all()]).toEqual([...before.orders.all()]);
    await second.append('d', [placed('d')], 0);
    expect((await second.readStream('d'))[0].position).toBe(5);
    await second.close();
  });

  it('enforces UNIQUE(stream, version) in the file itself', async () => {
    const store = new SqliteEventStore(file, []);
    await store.append('a', [placed('a')], 0);
    const duplicate = () =>
      dbOf(store)
        .prepare(
          "INSERT INTO events (position, stream, version, type, at, data, checksum) VALUES (9, 'a', 1, 'x', 0, '{}', '')",
        )
        .run();
    expect(duplicate).toThrow(/UNIQUE constraint failed: events.stream, events.version/);
    await store.close();
  });

  it('after a failed commit refuses every append and calls onFatal, never acknowledging what is not on disk', async () => {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const onFatal = jest.fn();
    const store = new SqliteEventStore(file, [], { onFatal });
    await store.append('a', [placed('a')], 0);
    // Something else took position 2 on disk: the next commit hits the primary key.
    dbOf(store)
      .prepare(
        "INSERT INTO events (position, stream, version, type, at, data, checksum) VALUES (2, 'z', 1, 'x', 0, '{}', '')",
      )
      .run();
    expect(store.isWritable()).toBe(true);
    await expect(store.append('b', [placed('b')], 0)).rejects.toThrow(EventStoreUnavailable);
    expect(onFatal).toHaveBeenCalledTimes(1);
    expect(store.isWritable()).toBe(false);
    await expect(store.append('c', [placed('c')], 0)).rejects.toThrow(EventStoreUnavailable);
    await expect(store.durable()).rejects.toThrow(EventStoreUnavailable);
    expect(logged).toHaveBeenCalledWith(expect.stringContaining('UNIQUE constraint failed'));
    logged.mockRestore();
    await store.close();
  });

  it('commits what is pending on close, then refuses appends', async () => {
    const store = new SqliteEventStore(file, []);
    const appended = store.append('a', [placed('a')], 0);
    await store.close();
    await expect(appended).resolves.toHaveLength(1);
    await expect(store.append('b', [placed('b')], 0)).rejects.toThrow(/closing/);
    const reopened = new SqliteEventStore(file, []);
    expect([...(await reopened.readAll())]).toHaveLength(1);
    await reopened.close();
  });

  it('on close, also commits what listeners appended while the last commit was told', async () => {
    const store = new SqliteEventStore(file, []);
    store.subscribe(([{ stream }]) => {
      if (stream === 'a') void store.append('b', [placed('b')], 0);
    });
    void store.append('a', [placed('a')], 0);
    await store.close();
    const reopened = new SqliteEventStore(file, []);
    expect([...(await reopened.readAll())].map((s) => s.stream)).toEqual(['a', 'b']);
    await reopened.close();
  });

  it('refuses a file that is not an event log, naming it', () => {
    writeFileSync(file, 'this is not a database, just some text that is long enough'.repeat(20));
    expect(() => new SqliteEventStore(file, [])).toThrow(EventLogUnreadable);
    expect(() => new SqliteEventStore(file, [])).toThrow(file);
  });

  it('refuses a second store on a file that one already owns', async () => {
    const owner = new SqliteEventStore(file, []);
    await owner.append('a', [placed('a')], 0);
    expect(() => new SqliteEventStore(file, [])).toThrow(/locked/);
    await owner.close();
  });
});
