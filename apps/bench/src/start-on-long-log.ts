/**
 * Scenario 13b, start-up on a long log (issue 17): fills a SQLite file (or a PostgreSQL
 * database) with `events` events, a settled order every three events and a few hundred live
 * ones at the end, by appends of a thousand orders a turn (a bulk insert, not HTTP), then starts
 * the café on it and on an empty log and prints the time until it answers and its RSS and heap
 * after a full GC.
 *
 *   npx nest build && node dist/apps/bench/src/start-on-long-log.js <events> sqlite|postgres://.../db
 *
 * Not a test: nothing here fails on a slow machine.
 */
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type EventStore,
  OrderFinished,
  OrderPlaced,
  OrderStarted,
  PostgresEventStore,
  SqliteEventStore,
} from '@cafe/ordering';
import { memoryAfterGc, startMeasuredCafe, stopCafe } from './bounded-state';

const ORDERS_PER_TURN = 1000;
const LIVE_AT_THE_END = 300;

async function fill(store: EventStore, events: number): Promise<void> {
  const settled = Math.floor((events - LIVE_AT_THE_END) / 3);
  for (let first = 0; first < settled; first += ORDERS_PER_TURN) {
    const ids = Array.from(
      { length: Math.min(ORDERS_PER_TURN, settled - first) },
      (_, i) => `o${first + i}`,
    );
    const at = Date.now();
    await Promise.all(
      ids.map((id, i) =>
        store.append(
          id,
          [
            new OrderPlaced(
              id,
              'americano',
              `10.${(first + i) >> 16}.${((first + i) >> 8) & 255}.${(first + i) & 255}`,
              at,
              {
                key: `k-${id}`,
                fingerprint: 'f',
              },
            ),
            new OrderStarted(id, at),
            new OrderFinished(id, at),
          ],
          0,
        ),
      ),
    );
  }
  await Promise.all(
    Array.from({ length: LIVE_AT_THE_END }, (_, i) =>
      store.append(
        `live${i}`,
        [new OrderPlaced(`live${i}`, 'americano', '10.255.0.1', Date.now())],
        0,
      ),
    ),
  );
}

async function measureStart(eventStore: string) {
  const began = performance.now();
  const { child } = await startMeasuredCafe({ EVENT_STORE: eventStore });
  const startMs = performance.now() - began;
  const { rss, heapUsed } = await memoryAfterGc(child);
  await stopCafe(child);
  return { startMs: Math.round(startMs), rssMB: mb(rss), heapMB: mb(heapUsed) };
}

function mb(bytes: number): number {
  return Math.round(bytes / 1e5) / 10;
}

async function main(): Promise<void> {
  const events = Number(process.argv[2] ?? 1_000_000);
  const target = process.argv[3] ?? 'sqlite';
  const empty = join(tmpdir(), `cafe-start-empty-${process.pid}.sqlite`);
  const full = join(tmpdir(), `cafe-start-full-${process.pid}.sqlite`);
  try {
    let fullStore: string;
    let emptyStore: string;
    const filling = performance.now();
    if (target === 'sqlite') {
      const store = new SqliteEventStore(full, []);
      await fill(store, events);
      await store.close();
      fullStore = `sqlite:${full}`;
      emptyStore = `sqlite:${empty}`;
    } else {
      // Two databases: the given one, filled, and an empty one next to it.
      const store = await PostgresEventStore.open(target, []);
      await fill(store, events);
      await store.close();
      fullStore = target;
      emptyStore = process.argv[4] ?? target;
    }
    const fillMs = Math.round(performance.now() - filling);
    console.log(JSON.stringify({ target, events, fillMs }));
    for (let run = 0; run < 3; run++) {
      console.log(JSON.stringify({ log: 'empty', ...(await measureStart(emptyStore)) }));
      console.log(JSON.stringify({ log: `${events} events`, ...(await measureStart(fullStore)) }));
    }
  } finally {
    for (const file of [empty, full]) {
      for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
    }
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
