/**
 * Scenario 13, bounded state: a café serves `orders` customers one after another
 * (each on a new connection from a loopback address of its own, waiting for its americano),
 * baristas on keep-alive take and finish them; at each checkpoint the café runs a full GC and
 * reports its RSS and JS heap. Prints one JSON line per checkpoint, then the cycles/s and the
 * café's CPU per cycle in the first and the last tenth (the checkpoints' collections left out).
 *
 *   npx nest build && node dist/apps/bench/src/bounded-state.js <orders> [memory|sqlite|postgres://...] [checkpoint,...]
 *
 * Not a test: nothing here fails on a slow machine.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { exchange, freePorts } from '@cafe/simulation';

// Ten baristas, as the task's café has, and enough customers waiting that none of them idles:
// with four, a run on a loaded machine was bound by the baristas' round trips, not by the café.
const CUSTOMERS_AT_ONCE = 40;
const BARISTAS = 10;

export interface MemoryAt {
  orders: number;
  rssBytes: number;
  heapUsedBytes: number;
}

export interface BoundedStateRun {
  store: string;
  orders: number;
  checkpoints: MemoryAt[];
  /** Wall-clock rates, the bench's own forced collections left out. */
  firstTenthCyclesPerSecond: number;
  lastTenthCyclesPerSecond: number;
  /** The café's CPU (user and system) per order cycle, its forced collections left out. */
  firstTenthCpuMicrosPerCycle: number;
  lastTenthCpuMicrosPerCycle: number;
}

/** The n-th customer's address: 127.x.y.z, distinct for 16 million customers. */
function addressOf(n: number): string {
  const k = n + 256; // skips 127.0.0.x
  return `127.${(k >> 16) & 255}.${(k >> 8) & 255}.${k & 255 || 1}`;
}

/** Starts the café with a GC on request (gc-on-request.ts) on free ports; resolves once it answers. */
export async function startMeasuredCafe(
  env: Record<string, string>,
): Promise<{ child: ChildProcess; customerPort: number; baristaPort: number }> {
  const [customerPort, baristaPort] = await freePorts(2);
  const main = join(__dirname, '..', '..', 'cafe', 'src', 'main.js');
  const child = spawn(
    process.execPath,
    ['--expose-gc', '-r', join(__dirname, 'gc-on-request.js'), main],
    {
      env: {
        ...process.env,
        LOG_LEVEL: 'warn',
        LOG_FORMAT: 'json',
        CUSTOMER_PORT: String(customerPort),
        BARISTA_PORT: String(baristaPort),
        CUSTOMER_HOST: '0.0.0.0',
        ...env,
      },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    },
  );
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; await sleep(50)) {
    if (child.exitCode !== null) throw new Error(`the café exited with ${child.exitCode}`);
    try {
      const { status } = await exchange({ host: '127.0.0.1', port: baristaPort, path: '/queue' });
      if (status === 200) return { child, customerPort, baristaPort };
    } catch {
      // not listening yet
    }
  }
  child.kill('SIGKILL');
  throw new Error('the café did not answer within 60 s');
}

/** Sends the café (gc-on-request.ts) a request and resolves with the first answer that has `field`. */
function ask<T extends object>(child: ChildProcess, request: string, field: keyof T): Promise<T> {
  return new Promise((resolve) => {
    const onMessage = (answer: unknown) => {
      if (typeof answer !== 'object' || answer === null || !(field in answer)) return;
      child.off('message', onMessage);
      resolve(answer as T);
    };
    child.on('message', onMessage);
    child.send(request);
  });
}

/** Asks the café for a full GC and its memory afterwards, with the CPU the collections took. */
export function memoryAfterGc(
  child: ChildProcess,
): Promise<{ rss: number; heapUsed: number; gcCpuMicros: number }> {
  return ask(child, 'gc', 'heapUsed');
}

/** The CPU (user and system) the café has used so far, in microseconds. */
async function cpuOf(child: ChildProcess): Promise<number> {
  return (await ask<{ cpuMicros: number }>(child, 'cpu', 'cpuMicros')).cpuMicros;
}

export async function stopCafe(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(15_000).then(() => child.kill('SIGKILL'))]);
}

export async function boundedState(
  orders: number,
  store: string,
  checkpoints: readonly number[],
  log: (line: string) => void = () => undefined,
): Promise<BoundedStateRun> {
  const file = store === 'sqlite' ? join(tmpdir(), `cafe-bounded-${process.pid}.sqlite`) : '';
  const eventStore = store === 'sqlite' ? `sqlite:${file}` : store;
  const { child, customerPort, baristaPort } = await startMeasuredCafe({
    EVENT_STORE: eventStore,
    // One customer per address: the throttler never counts more than one order per key.
  });
  const baristaAgent = new Agent({ keepAlive: true, maxSockets: BARISTAS });
  let placed = 0;
  let served = 0;
  let done = false;
  const tenth = Math.max(1, Math.floor(orders / 10));
  // The checkpoints' forced collections are the bench's, not the café's: their wall time and CPU
  // are taken out of the rates, so that a tenth holding two of them is not slower for it.
  let pausedMs = 0;
  let forcedGcCpuMicros = 0;
  const servedAt: number[] = new Array<number>(orders);
  const cpuAt = new Map<number, number>([[0, await cpuOf(child)]]);
  const measured: MemoryAt[] = [];
  const pending = [...checkpoints].sort((a, b) => a - b);
  const payload = JSON.stringify({ drink: 'americano' });
  const customer = async () => {
    while (placed < orders) {
      const n = placed++;
      const answer = await exchange(
        {
          host: '127.0.0.1',
          port: customerPort,
          method: 'POST',
          path: '/order/',
          agent: false,
          localAddress: addressOf(n),
          family: 4,
          headers: { 'content-type': 'application/json', 'content-length': payload.length },
        },
        payload,
      );
      if (answer.status !== 200) throw new Error(`order ${n} answered ${answer.status}`);
      servedAt[served++] = performance.now() - pausedMs;
      if (served === tenth || served === orders - tenth || served === orders) {
        const count = served;
        cpuAt.set(count, (await cpuOf(child)) - forcedGcCpuMicros);
      }
      while (pending.length > 0 && served >= pending[0]) {
        const at = pending.shift() as number;
        const pausedFrom = performance.now();
        const { rss, heapUsed, gcCpuMicros } = await memoryAfterGc(child);
        pausedMs += performance.now() - pausedFrom;
        forcedGcCpuMicros += gcCpuMicros;
        measured.push({ orders: at, rssBytes: rss, heapUsedBytes: heapUsed });
        log(JSON.stringify({ store, orders: at, rssMB: mb(rss), heapMB: mb(heapUsed) }));
      }
    }
  };
  const barista = async () => {
    while (!done) {
      const started = await exchange({
        host: '127.0.0.1',
        port: baristaPort,
        path: '/start/',
        agent: baristaAgent,
      });
      if (started.status !== 200) {
        await sleep(1);
        continue;
      }
      const orderId = (started.body as { order_id: string }).order_id;
      await exchange({
        host: '127.0.0.1',
        port: baristaPort,
        method: 'POST',
        path: `/finish/?order_id=${orderId}`,
        agent: baristaAgent,
      });
    }
  };
  try {
    const baristas = Array.from({ length: BARISTAS }, barista);
    await Promise.all(Array.from({ length: CUSTOMERS_AT_ONCE }, customer));
    done = true;
    await Promise.all(baristas);
  } finally {
    baristaAgent.destroy();
    await stopCafe(child);
    if (file) rmSync(file, { force: true });
  }
  const rate = (from: number) =>
    (tenth - 1) / ((servedAt[from + tenth - 1] - servedAt[from]) / 1000);
  const cpuPerCycle = (from: number) =>
    ((cpuAt.get(from + tenth) as number) - (cpuAt.get(from) as number)) / tenth;
  return {
    store,
    orders,
    checkpoints: measured,
    firstTenthCyclesPerSecond: rate(0),
    lastTenthCyclesPerSecond: rate(orders - tenth),
    firstTenthCpuMicrosPerCycle: cpuPerCycle(0),
    lastTenthCpuMicrosPerCycle: cpuPerCycle(orders - tenth),
  };
}

function mb(bytes: number): number {
  return Math.round(bytes / 1e5) / 10;
}

if (require.main === module) {
  const orders = Number(process.argv[2] ?? 10_000);
  const store = process.argv[3] ?? 'memory';
  const checkpoints = (process.argv[4] ?? `${orders / 10},${orders}`).split(',').map(Number);
  boundedState(orders, store, checkpoints, (line) => console.log(line)).then(
    (run) =>
      console.log(
        JSON.stringify({
          store,
          orders,
          firstTenthCyclesPerSecond: Math.round(run.firstTenthCyclesPerSecond),
          lastTenthCyclesPerSecond: Math.round(run.lastTenthCyclesPerSecond),
          firstTenthCpuMicrosPerCycle: Math.round(run.firstTenthCpuMicrosPerCycle),
          lastTenthCpuMicrosPerCycle: Math.round(run.lastTenthCpuMicrosPerCycle),
        }),
      ),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
