// Times GET /events on a log of 1,000,000 events. Run after a build:
//   npx nest build && node --expose-gc bench/event-history.js [express|fastify]
// The log is filled in-process (orders placed, started and finished, one event every 30 ms of
// simulated time, so about 8 hours of a busy café); every query goes over loopback HTTP on a
// fresh connection, as a client would send it.
'use strict';
const { request } = require('node:http');
const { startCafe } = require('../dist/apps/cafe/src/cafe');
const { loadConfig } = require('../dist/apps/cafe/src/config');
const {
  EventStore,
  OrderPlaced,
  OrderStarted,
  OrderFinished,
} = require('../dist/libs/ordering/src');

const EVENTS = 1_000_000;
const RUNS = 50;
const STEP_MS = 30;

function get(port, path) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let bytes = 0;
      res.on('data', (chunk) => (bytes += chunk.length));
      res.on('end', () =>
        resolve({
          status: res.statusCode,
          bytes,
          ms: Number(process.hrtime.bigint() - started) / 1e6,
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

const percentile = (sorted, p) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

async function main() {
  const adapter = process.argv[2] ?? 'express';
  const cafe = await startCafe(
    loadConfig({ HOST: '127.0.0.1', CUSTOMER_PORT: '0', BARISTA_PORT: '0', HTTP_ADAPTER: adapter }),
  );
  const store = cafe.core.get(EventStore);
  const t0 = Date.UTC(2026, 10, 26, 7, 0, 0);
  const fillStarted = Date.now();
  for (let n = 0, order = 0; n < EVENTS; order++) {
    const id = `order-${order}`;
    const at = () => t0 + n * STEP_MS;
    await store.append(id, [new OrderPlaced(id, 'americano', '127.0.0.1', at())], 0);
    n++;
    if (n < EVENTS) {
      await store.append(id, [new OrderStarted(id, at())], 1);
      n++;
    }
    if (n < EVENTS) {
      await store.append(id, [new OrderFinished(id, at())], 2);
      n++;
    }
  }
  const fillSeconds = (Date.now() - fillStarted) / 1000;
  // The fill's garbage is not what is measured: collect it now rather than during the queries.
  global.gc?.();
  const heapMb = Math.round(process.memoryUsage().heapUsed / 2 ** 20);
  const iso = (offsetEvents) => new Date(t0 + offsetEvents * STEP_MS).toISOString();

  const queries = [
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
    `${adapter}: ${store.head()} events filled in ${fillSeconds} s, heap ${heapMb} MB, ${RUNS} runs each`,
  );
  console.log('| query | median ms | p95 ms | max ms | bytes |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const [name, path] of queries) {
    await get(cafe.baristaPort, path); // warm up
    const times = [];
    let last;
    for (let i = 0; i < RUNS; i++) {
      last = await get(cafe.baristaPort, path);
      if (last.status !== 200) throw new Error(`${path} answered ${last.status}`);
      times.push(last.ms);
    }
    times.sort((a, b) => a - b);
    const fmt = (ms) => ms.toFixed(1);
    console.log(
      `| ${name} \`${path}\` | ${fmt(percentile(times, 0.5))} | ${fmt(percentile(times, 0.95))} | ${fmt(times.at(-1))} | ${last.bytes} |`,
    );
  }
  await cafe.close();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
