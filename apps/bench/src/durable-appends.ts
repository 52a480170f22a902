/**
 * Durable append throughput: orders per second appended to the SQLite log with group commit
 * (many appends per event-loop turn share one fsynced transaction) against one commit per
 * order (each append awaited before the next), with the in-memory store as the ceiling.
 *
 *   npx nest build && node dist/apps/bench/src/durable-appends.js [orders] [per-turn]
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  EventStore,
  IdempotencyKeyProjection,
  InMemoryEventStore,
  type InlineProjection,
  OrderPlaced,
  OrderStates,
  QueueProjection,
  SqliteEventStore,
} from '@cafe/ordering';

const projections = (): InlineProjection[] => [
  new QueueProjection(),
  new OrderStates(),
  new IdempotencyKeyProjection(),
];

function place(store: EventStore): Promise<unknown> {
  const orderId = randomUUID();
  const claim = { key: randomUUID(), fingerprint: 'e30' };
  const event = new OrderPlaced(orderId, 'americano', '127.0.0.1', Date.now(), claim);
  return store.append(orderId, [event], 0);
}

/** Places `orders` orders, `perTurn` at a time in one event-loop turn; returns orders/s. */
async function measure(store: EventStore, orders: number, perTurn: number): Promise<number> {
  const started = process.hrtime.bigint();
  for (let done = 0; done < orders; done += perTurn) {
    await Promise.all(Array.from({ length: Math.min(perTurn, orders - done) }, () => place(store)));
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return orders / seconds;
}

async function main(): Promise<void> {
  const orders = Number(process.argv[2] ?? 5000);
  const perTurn = Number(process.argv[3] ?? 100);
  const dir = mkdtempSync(join(tmpdir(), 'cafe-bench-'));
  const rows: [string, number, number][] = [];
  try {
    const sqlite = (name: string) => new SqliteEventStore(join(dir, `${name}.db`), projections());
    const grouped = sqlite('grouped');
    rows.push([
      `SQLite, group commit (${perTurn} per turn)`,
      orders,
      await measure(grouped, orders, perTurn),
    ]);
    await grouped.close();
    // Fewer orders: at one fsync each, this mode is the slow one.
    const single = sqlite('single');
    const singleOrders = Math.max(1, Math.floor(orders / 5));
    rows.push([
      'SQLite, one commit per order',
      singleOrders,
      await measure(single, singleOrders, 1),
    ]);
    await single.close();
    const memory = new InMemoryEventStore(projections());
    rows.push([`in memory (${perTurn} per turn)`, orders, await measure(memory, orders, perTurn)]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log('| store | orders | orders/s |\n| --- | ---: | ---: |');
  for (const [name, count, rate] of rows)
    console.log(`| ${name} | ${count} | ${Math.round(rate)} |`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
