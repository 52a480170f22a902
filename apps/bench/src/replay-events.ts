/**
 * Scenario 5, in its own process: fills an in-memory log with N events (orders placed, started
 * and finished, the last few still queued), then times rebuilding each projection from it.
 * Prints one JSON line. Usage: node replay-events.js [events]
 */
import {
  InMemoryEventStore,
  OrderFinished,
  OrderPlaced,
  OrderStarted,
  OrderStates,
  QueueProjection,
  replay,
} from '@cafe/ordering';

/** Orders at the end of the log that no barista started, so the queue view has work too. */
const STILL_QUEUED = 1000;

async function fill(store: InMemoryEventStore, events: number): Promise<void> {
  let written = 0;
  for (let n = 0; written < events; n++) {
    const id = `order-${n}`;
    const at = 1_700_000_000_000 + n;
    const placed = new OrderPlaced(id, 'americano', `10.0.${(n >> 8) & 255}.${n & 255}`, at);
    const lifecycle =
      events - written <= STILL_QUEUED
        ? [placed]
        : [placed, new OrderStarted(id, at + 1), new OrderFinished(id, at + 2)];
    const batch = lifecycle.slice(0, events - written);
    await store.append(id, batch, 0);
    written += batch.length;
  }
}

async function timed(rebuild: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await rebuild();
  return performance.now() - started;
}

async function main(): Promise<void> {
  const events = Number(process.argv[2] ?? 1_000_000);
  const store = new InMemoryEventStore([]);
  await fill(store, events);
  (globalThis as { gc?: () => void }).gc?.();
  let queued = 0;
  let orders = 0;
  const queueMs = await timed(
    async () => (queued = (await replay(store, new QueueProjection())).size),
  );
  const ordersMs = await timed(
    async () => (orders = [...(await replay(store, new OrderStates())).all()].length),
  );
  console.log(
    JSON.stringify({ events, orders, queued, queueMs, ordersMs, totalMs: queueMs + ordersMs }),
  );
}

void main();
