/**
 * Times GET /events on a log of 1,000,000 events. The log is filled in-process (orders placed,
 * started and finished, one event every 30 ms of story time, so about 8 hours of a busy café);
 * every query goes over loopback HTTP on a fresh connection, as a client would send it.
 *
 *   npx nest build && node --expose-gc dist/apps/bench/src/event-history.js [express|fastify]
 */
import { loadConfig, startCafe } from '@cafe/app';
import { EventStore, OrderFinished, OrderPlaced, OrderStarted } from '@cafe/ordering';
import { HTTP_ADAPTERS, type HttpAdapterName } from '@cafe/http';
import { exchange, percentile } from '@cafe/simulation';

const EVENTS = 1_000_000;
const RUNS = 50;
const STEP_MS = 30;

async function timedGet(port: number, path: string): Promise<{ ms: number; bytes: number }> {
  const sent = performance.now();
  const { status, headers } = await exchange({ host: '127.0.0.1', port, path, agent: false });
  if (status !== 200) throw new Error(`${path} answered ${status}`);
  return { ms: performance.now() - sent, bytes: Number(headers['content-length'] ?? 0) };
}

/** Orders placed, started and finished in turn until the log holds `events` events. */
async function fill(store: EventStore, events: number, t0: number): Promise<void> {
  for (let n = 0, order = 0; n < events; order++) {
    const id = `order-${order}`;
    const steps = [
      new OrderPlaced(id, 'americano', '127.0.0.1', t0 + n * STEP_MS),
      new OrderStarted(id, t0 + (n + 1) * STEP_MS),
      new OrderFinished(id, t0 + (n + 2) * STEP_MS),
    ].slice(0, events - n);
    for (const [version, event] of steps.entries()) await store.append(id, [event], version);
    n += steps.length;
  }
}

async function main(): Promise<void> {
  const adapter = (process.argv[2] ?? 'express') as HttpAdapterName;
  if (!HTTP_ADAPTERS.includes(adapter))
    throw new Error(`expected one of ${HTTP_ADAPTERS.join(', ')}`);
  const cafe = await startCafe(
    loadConfig(
      { HOST: '127.0.0.1', CUSTOMER_PORT: '0', BARISTA_PORT: '0', HTTP_ADAPTER: adapter },
      false,
    ),
  );
  const store = cafe.core.get(EventStore);
  const t0 = Date.UTC(2026, 10, 26, 7, 0, 0);
  const fillStarted = performance.now();
  await fill(store, EVENTS, t0);
  const fillSeconds = (performance.now() - fillStarted) / 1000;
  // The fill's garbage is not what is measured: collect it now rather than during the queries.
  (globalThis as { gc?: () => void }).gc?.();
  const heapMb = Math.round(process.memoryUsage().heapUsed / 2 ** 20);
  const iso = (offsetEvents: number) => new Date(t0 + offsetEvents * STEP_MS).toISOString();

  const queries: [name: string, path: string][] = [
    ['first page, default limit', '/events'],
    ['first 1000', '/events?limit=1000'],
    ['last 1000 by cursor', `/events?after=${EVENTS - 1000}&limit=1000`],
    ['1000 from the middle by time', `/events?from=${iso(EVENTS / 2)}&limit=1000`],
    [
      'one hour window, 1000',
      `/events?from=${iso(EVENTS / 4)}&to=${iso(EVENTS / 4 + 120_000)}&limit=1000`,
    ],
    ['empty window at the end', `/events?from=${iso(EVENTS + 10)}`],
  ];
  console.log(
    `${adapter}: ${await store.head()} events filled in ${fillSeconds.toFixed(1)} s, heap ${heapMb} MB, ${RUNS} runs each`,
  );
  console.log('| query | median ms | p95 ms | max ms | bytes |');
  console.log('| --- | --- | --- | --- | --- |');
  const ms = (value: number | null) => (value === null ? '-' : value.toFixed(1));
  for (const [name, path] of queries) {
    await timedGet(cafe.baristaPort, path); // warm up
    const times: number[] = [];
    let bytes = 0;
    for (let i = 0; i < RUNS; i++) {
      const answer = await timedGet(cafe.baristaPort, path);
      times.push(answer.ms);
      bytes = answer.bytes;
    }
    times.sort((a, b) => a - b);
    console.log(
      `| ${name} \`${path}\` | ${ms(percentile(times, 50))} | ${ms(percentile(times, 95))} | ${ms(times[times.length - 1])} | ${bytes} |`,
    );
  }
  await cafe.close();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
