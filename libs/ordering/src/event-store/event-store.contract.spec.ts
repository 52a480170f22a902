import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { WrongExpectedVersion } from '../domain/errors';
import { OrderFinished, OrderPlaced, OrderStarted } from '../events';
import type { EventStore, InlineProjection, StoredEvent } from './event-store';
import { InMemoryEventStore } from './in-memory-event-store';
import { SqliteEventStore } from './sqlite-event-store';

const placed = (id: string) => new OrderPlaced(id, 'americano', '127.0.0.1', 1);

type OpenStore = (projections: readonly InlineProjection[]) => EventStore;

/** What every adapter of the port must do. Runs once per adapter. */
function eventStoreContract(adapter: string, open: OpenStore): void {
  describe(`the ${adapter} event store`, () => {
    it('assigns global positions and per-stream versions', async () => {
      const store = open([]);
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
      const store = open([]);
      await store.append('a', [placed('a')], 0);
      await expect(store.append('a', [placed('a')], 0)).rejects.toThrow(WrongExpectedVersion);
      await expect(store.append('a', [new OrderStarted('a', 2)], 2)).rejects.toThrow(
        WrongExpectedVersion,
      );
      expect([...(await store.readAll())]).toHaveLength(1);
    });

    it('checks versions synchronously: of two appends in one turn at the same version, one wins', async () => {
      const store = open([]);
      const results = await Promise.allSettled([
        store.append('a', [placed('a')], 0),
        store.append('a', [placed('a')], 0),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
      expect(await store.readStream('a')).toHaveLength(1);
    });

    it('runs inline projections before append returns', async () => {
      const seen: number[] = [];
      const projection: InlineProjection = { apply: (s: StoredEvent) => seen.push(s.position) };
      const store = open([projection]);
      const appended = store.append('a', [placed('a')], 0);
      expect(seen).toEqual([1]);
      await appended;
    });

    it('tells listeners of each batch once durable, survives a failing listener, and lets them unsubscribe', async () => {
      const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
      const store = open([]);
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

    it('resolves durable() once everything appended so far is durable', async () => {
      const store = open([]);
      const told: string[] = [];
      store.subscribe((batch) => told.push(batch[0].stream));
      void store.append('a', [placed('a')], 0);
      void store.append('b', [placed('b')], 0);
      await store.durable();
      expect(told).toEqual(['a', 'b']);
    });

    it('finds the first position at or after a time by its head and a binary search', async () => {
      const store = open([]);
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

eventStoreContract('in-memory', (projections) => new InMemoryEventStore(projections));

describe('on SQLite, one file per test', () => {
  let dir: string;
  const opened: SqliteEventStore[] = [];
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'cafe-contract-'))));
  afterAll(async () => {
    await Promise.all(opened.map((store) => store.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  eventStoreContract('SQLite', (projections) => {
    const store = new SqliteEventStore(join(dir, `${opened.length}.db`), projections);
    opened.push(store);
    return store;
  });
});
