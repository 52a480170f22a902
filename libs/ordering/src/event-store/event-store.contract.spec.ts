import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { WrongExpectedVersion } from './event-store.errors';
import { OrderCancelled, OrderFinished, OrderPlaced, OrderStarted } from '../events';
import { OrderStates } from '../orders/order-states';
import { QueueProjection } from '../projections/queue.projection';
import { Retention } from '../retention';
import type { EventStore, InlineProjection, StoredEvent } from './event-store';
import { InMemoryEventStore } from './in-memory-event-store';
import { SqliteEventStore } from './sqlite-event-store';
import { PostgresEventStore } from './postgres-event-store';
import {
  createTestDatabase,
  describeWithPostgres,
  type TestDatabase,
} from '../../../../test/support/postgres-database';

const placed = (id: string) => new OrderPlaced(id, 'americano', '127.0.0.1', 1);

type OpenStore = (
  projections: readonly InlineProjection[],
  retention?: Retention,
) => Promise<EventStore>;

/**
 * What every adapter of the port must do. Runs once per adapter; `inProcess`: the adapter is
 * the only writer of its log and checks versions and runs projections inside `append`;
 * `reopen`, for a durable adapter: opens the log the last `open` made once more, as a restart;
 * `second`, for a shared log: opens another writer on the last `open`'s log, beside it.
 */
function eventStoreContract(
  adapter: string,
  open: OpenStore,
  {
    inProcess = true,
    reopen,
    second,
  }: { inProcess?: boolean; reopen?: OpenStore; second?: OpenStore } = {},
): void {
  describe(`the ${adapter} event store`, () => {
    it('refuses a new stream under the id of one that settled', async () => {
      const store = await open([]);
      await store.append('a', [placed('a'), new OrderStarted('a', 2)], 0);
      await store.append('a', [new OrderFinished('a', 3)], 2);
      await expect(store.append('a', [placed('a')], 0)).rejects.toThrow(WrongExpectedVersion);
    });

    if (reopen) {
      it('starts on the live orders and the latest settled ones, and reads the rest from the log', async () => {
        const store = await open([]);
        const keyed = (id: string) =>
          new OrderPlaced(id, 'americano', '127.0.0.1', 1, { key: `k-${id}`, fingerprint: 'f' });
        for (const id of ['old', 'brewing', 'queued', 'recent']) {
          await store.append(id, [keyed(id)], 0);
        }
        await store.append('old', [new OrderStarted('old', 2), new OrderFinished('old', 3)], 1);
        await store.append('brewing', [new OrderStarted('brewing', 4)], 1);
        await store.append('recent', [new OrderCancelled('recent', 'customer_left', 5)], 1);
        const head = await store.head();

        const views = { queue: new QueueProjection(), orders: new OrderStates() };
        const seen: number[] = [];
        const restarted = await reopen(
          [views.queue, views.orders, { apply: ({ position }) => seen.push(position) }],
          new Retention({ recentOrders: 1 }),
        );
        // The streams of brewing, queued and recent, each event once, in position order.
        expect(seen).toEqual([2, 3, 4, 7, 8]);
        expect(views.queue.ids()).toEqual(['queued']);
        expect([...views.queue.brewingByStart()]).toEqual([{ orderId: 'brewing', startedAt: 4 }]);
        expect([...views.orders.all()].map(({ orderId }) => orderId)).toEqual([
          'brewing',
          'queued',
          'recent',
        ]);
        expect(await restarted.head()).toBe(head);
        // Read from the log: the restarted store holds no event before its live orders'.
        expect(await Promise.all([1, 4, 6].map((at) => restarted.positionAt(at)))).toEqual([
          1,
          7,
          head + 1,
        ]);
        expect((await restarted.readStream('old')).map(({ event }) => event.type)).toEqual([
          'OrderPlaced',
          'OrderStarted',
          'OrderFinished',
        ]);
        expect(await restarted.orderPlacedUnder('k-old')).toEqual({
          orderId: 'old',
          fingerprint: 'f',
        });
        expect(await restarted.orderPlacedUnder('k-none')).toBeUndefined();
        const next = await restarted.append('new', [placed('new')], 0);
        expect(next[0].position).toBe(head + 1);
        await expect(restarted.append('old', [placed('old')], 0)).rejects.toThrow(
          WrongExpectedVersion,
        );
      });
    }

    it('assigns global positions and per-stream versions', async () => {
      const store = await open([]);
      await store.append('a', [placed('a')], 0);
      await store.append('b', [placed('b')], 0);
      const appended = await store.append(
        'a',
        [new OrderStarted('a', 2), new OrderFinished('a', 3)],
        1,
      );
      expect(appended.map(({ position, version }) => [position, version])).toEqual([
        [3, 2],
        [4, 3],
      ]);
      expect((await store.readStream('a')).map((s) => s.event.type)).toEqual([
        'OrderPlaced',
        'OrderStarted',
        'OrderFinished',
      ]);
      expect((await store.readAll(3)).map((s) => s.position)).toEqual([3, 4]);
      expect((await store.readAll(2, 2)).map((s) => s.position)).toEqual([2, 3]);
      expect([...(await store.readAll())].map((s) => s.stream)).toEqual(['a', 'b', 'a', 'a']);
      expect(await store.readStream('nope')).toEqual([]);
    });

    it('rejects a stale expected version and writes nothing', async () => {
      const store = await open([]);
      await store.append('a', [placed('a')], 0);
      await expect(store.append('a', [placed('a')], 0)).rejects.toThrow(WrongExpectedVersion);
      await expect(store.append('a', [new OrderStarted('a', 2)], 2)).rejects.toThrow(
        WrongExpectedVersion,
      );
      expect([...(await store.readAll())]).toHaveLength(1);
    });

    it('lets one of two appends at the same version win', async () => {
      const store = await open([]);
      const results = await Promise.allSettled([
        store.append('a', [placed('a')], 0),
        store.append('a', [placed('a')], 0),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
      expect(await store.readStream('a')).toHaveLength(1);
    });

    it('feeds inline projections every event in position order before append resolves', async () => {
      const seen: number[] = [];
      const projection: InlineProjection = { apply: (s: StoredEvent) => seen.push(s.position) };
      const store = await open([projection]);
      const appended = store.append('a', [placed('a')], 0);
      if (inProcess) expect(seen).toEqual([1]); // synchronously, inside append
      await appended;
      await store.append('a', [new OrderStarted('a', 2), new OrderFinished('a', 3)], 1);
      expect(seen).toEqual([1, 2, 3]);
    });

    it('tells listeners of each batch once durable, survives a failing listener, and lets them unsubscribe', async () => {
      const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
      const store = await open([]);
      const batches: number[][] = [];
      store.subscribe(() => {
        throw new Error('listener bug');
      });
      const unsubscribe = store.subscribe((batch) => batches.push(batch.map((s) => s.position)));
      await store.append('a', [placed('a')], 0);
      unsubscribe();
      await store.append('b', [placed('b')], 0);
      expect(batches).toEqual([[1]]);
      expect(logged).toHaveBeenCalledWith(
        expect.stringContaining('listener bug'),
        expect.anything(),
      );
      logged.mockRestore();
    });

    it('tells every listener of each event once, in position order, whatever the batches', async () => {
      const store = await open([]);
      const told: number[][] = [[], []];
      for (const positions of told) {
        store.subscribe((batch) => positions.push(...batch.map(({ position }) => position)));
      }
      await Promise.all([
        store.append('a', [placed('a')], 0),
        store.append('b', [placed('b'), new OrderStarted('b', 2)], 0),
        store.append('c', [placed('c')], 0),
      ]);
      await store.append('a', [new OrderStarted('a', 3), new OrderFinished('a', 4)], 1);
      // A catch-up after the fact (a shared log's follower reads by position) tells nothing again.
      await store.caughtUp();
      await store.durable();
      expect(told).toEqual([
        [1, 2, 3, 4, 5, 6],
        [1, 2, 3, 4, 5, 6],
      ]);
    });

    it('reads a settled stream whole, as its appends stored it, after the views let it go', async () => {
      const store = await open([], new Retention({ recentOrders: 0 }));
      const stored = [
        ...(await store.append('a', [placed('a')], 0)),
        ...(await store.append('a', [new OrderStarted('a', 2), new OrderFinished('a', 3)], 1)),
      ];
      await store.append('b', [placed('b')], 0);
      expect(await store.readStream('a')).toEqual(stored);
    });

    if (second) {
      it('refuses an append decided before another writer moved the stream, and follows that writer once, in order', async () => {
        const store = await open([]);
        const other = await second([]);
        const told: number[] = [];
        store.subscribe((batch) => told.push(...batch.map(({ position }) => position)));
        await store.append('a', [placed('a')], 0);
        await other.caughtUp();
        await other.append('a', [new OrderStarted('a', 2, 'other')], 1);
        await expect(store.append('a', [new OrderStarted('a', 3, 'this')], 1)).rejects.toThrow(
          WrongExpectedVersion,
        );
        await other.append('b', [placed('b')], 0);
        await store.caughtUp();
        expect(told).toEqual([1, 2, 3]);
        expect((await store.readStream('a')).map(({ version, event }) => [version, event])).toEqual(
          [
            [1, placed('a')],
            [2, new OrderStarted('a', 2, 'other')],
          ],
        );
      });
    }

    it('resolves durable() once everything appended so far is durable', async () => {
      const store = await open([]);
      const told: string[] = [];
      store.subscribe((batch) => told.push(...batch.map((stored) => stored.stream)));
      void store.append('a', [placed('a')], 0);
      void store.append('b', [placed('b')], 0);
      await store.durable();
      expect(told).toEqual(['a', 'b']);
    });

    it('finds the first position at or after a time by its head and a binary search', async () => {
      const store = await open([]);
      expect(await store.head()).toBe(0);
      expect(await store.positionAt(0)).toBe(1);
      for (const [i, at] of [10, 20, 20, 30].entries()) {
        await store.append(`o${i}`, [new OrderPlaced(`o${i}`, 'americano', '127.0.0.1', at)], 0);
      }
      expect(await store.head()).toBe(4);
      const positions = [5, 10, 11, 20, 21, 30, 31].map((at) => store.positionAt(at));
      expect(await Promise.all(positions)).toEqual([1, 1, 2, 2, 4, 4, 5]);
    });
  });
}

eventStoreContract('in-memory', async (projections, retention) =>
  Promise.resolve(new InMemoryEventStore(projections, retention)),
);

describe('the in-memory event store past its retention', () => {
  it('keeps the live streams and the latest events, and lets the settled ones go', async () => {
    const store = new InMemoryEventStore([], { eventsKept: 3 });
    await store.append('live', [placed('live')], 0);
    await store.append('done', [placed('done'), new OrderFinished('done', 2)], 0);
    await store.append('next', [placed('next'), new OrderStarted('next', 3)], 0);
    expect((await store.readAll()).map(({ position }) => position)).toEqual([3, 4, 5]);
    expect(await store.readStream('done')).toHaveLength(2); // its last event is still kept
    await store.append('more', [placed('more')], 0);
    expect(await store.readStream('done')).toEqual([]);
    expect(await store.readStream('live')).toHaveLength(1); // live, however old
    expect(await store.positionAt(0)).toBe(4);
    expect(await store.head()).toBe(6);
  });
});

describe('on SQLite, one file per test', () => {
  let dir: string;
  const opened: SqliteEventStore[] = [];
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'cafe-contract-'))));
  afterAll(async () => {
    await Promise.all(opened.map((store) => store.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  const openSqlite = (file: () => string): OpenStore => {
    return async (projections, retention) => {
      const store = new SqliteEventStore(file(), projections, { retention });
      opened.push(store);
      return Promise.resolve(store);
    };
  };
  eventStoreContract(
    'SQLite',
    openSqlite(() => join(dir, `${opened.length}.db`)),
    {
      // A second store on the file the test's first store closed.
      reopen: async (projections, retention) => {
        const first = opened[opened.length - 1];
        await first.close();
        return openSqlite(() => first.path)(projections, retention);
      },
    },
  );
});

describeWithPostgres()('on PostgreSQL, one database per test', () => {
  // Made before each test, outside its time limit: CREATE DATABASE takes seconds on a busy machine.
  let database: TestDatabase;
  let store: PostgresEventStore | undefined;
  beforeEach(async () => (database = await createTestDatabase()), 30_000);
  afterEach(async () => {
    await store?.close();
    store = undefined;
    await database.drop();
  }, 30_000);

  let beside: PostgresEventStore | undefined;
  afterEach(async () => {
    await beside?.close();
    beside = undefined;
  });
  eventStoreContract(
    'PostgreSQL',
    async (projections) => (store = await PostgresEventStore.open(database.url, projections)),
    {
      inProcess: false,
      // Another instance starting on the same log.
      reopen: async (projections, retention) =>
        (beside = await PostgresEventStore.open(database.url, projections, { retention })),
      // The same, while the first one writes too.
      second: async (projections) =>
        (beside = await PostgresEventStore.open(database.url, projections)),
    },
  );
});
