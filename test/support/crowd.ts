import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { sourceAddress } from '@cafe/simulation';
import { call, type CallOptions, type HttpAnswer } from './http-client';

/** What one customer experienced. */
export interface Served {
  readonly address: string;
  readonly status: number;
  readonly answer: HttpAnswer;
}

/** One customer ordering from `address` (their socket binds to it) and waiting for the answer. */
export async function orderFrom(
  port: number,
  address: string,
  options: CallOptions = {},
): Promise<Served> {
  const answer = await call(port, 'POST', '/order/', { ...options, localAddress: address });
  return { address, status: answer.status, answer };
}

/** `count` orders sent at once from one address by this thread, as a group behind one NAT. */
export function burstFrom(port: number, address: string, count: number): Promise<Served[]> {
  return Promise.all(Array.from({ length: count }, () => orderFrom(port, address)));
}

/** What flood-sender.js reports for each of its requests. */
interface SenderAnswer {
  status: number;
  headers: HttpAnswer['headers'];
  text: string;
}

/**
 * `count` orders at once from one address, sent from a worker thread (flood-sender.js) as if
 * from another machine. With `forge`, each claims another address in X-Forwarded-For.
 */
export function floodFrom(
  port: number,
  address: string,
  count: number,
  forge: boolean,
): Promise<Served[]> {
  const worker = new Worker(join(__dirname, 'flood-sender.js'), {
    workerData: { port, address, count, forge },
  });
  return new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', (answers: SenderAnswer[]) => {
      resolve(
        answers.map(({ status, headers, text }) => ({
          address,
          status,
          answer: { status, headers, body: text ? JSON.parse(text) : undefined },
        })),
      );
      void worker.terminate();
    });
  });
}

/** `count` regulars, each on their own address from `sourceAddress(first)`, arriving evenly over `overMs`. */
export async function regulars(
  port: number,
  { count, overMs, first = 0 }: { count: number; overMs: number; first?: number },
): Promise<Served[]> {
  const start = performance.now();
  const orders: Promise<Served>[] = [];
  for (let i = 0; i < count; i++) {
    const due = start + (i * overMs) / count - performance.now();
    if (due > 0) await sleep(due);
    orders.push(orderFrom(port, sourceAddress(first + i)));
  }
  return Promise.all(orders);
}

export interface Baristas {
  /** How many orders they finished. */
  readonly finished: number;
  /** Lets each barista finish the drink in hand, then stops them. */
  stop(): Promise<void>;
}

/**
 * `count` baristas as the reference client behaves, with brewing scaled down: take the oldest
 * order (`GET /start/`), brew for a random `brewMs`, `POST /finish/`; on 404 wait `idleMs`.
 */
export function startBaristas(
  port: number,
  count: number,
  { brewMs = [30, 60], idleMs = 10 }: { brewMs?: [number, number]; idleMs?: number } = {},
): Baristas {
  let running = true;
  let finished = 0;
  const work = async () => {
    while (running) {
      const started = await call(port, 'GET', '/start/');
      if (started.status !== 200) {
        await sleep(idleMs);
        continue;
      }
      await sleep(brewMs[0] + Math.random() * (brewMs[1] - brewMs[0]));
      const orderId = encodeURIComponent(started.body.order_id);
      const done = await call(port, 'POST', `/finish/?order_id=${orderId}`);
      if (done.status !== 200) throw new Error(`finish answered ${done.status}`);
      finished++;
    }
  };
  const workers = Array.from({ length: count }, work);
  return {
    get finished() {
      return finished;
    },
    async stop() {
      running = false;
      await Promise.all(workers);
    },
  };
}

/** How many answers had each status, e.g. `{ 200: 198, 429: 2 }`. */
export function countStatuses(served: readonly Served[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const { status } of served) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
}

/** The address the flooding client always comes from in our scenarios. */
export const FLOOD_ADDRESS = '127.0.66.6';

/**
 * The story of the issue: 200 regulars on their own addresses ordering over one second, 10
 * baristas brewing 30-60 ms, and optionally one address sending `flood.count` orders at once,
 * 100 ms in, so that most regulars order after the flood began. `forge` makes every flood
 * request claim another address in X-Forwarded-For.
 */
export async function rushHour(
  ports: { customer: number; barista: number },
  flood?: { count: number; forge?: boolean },
): Promise<{ regulars: Served[]; flood: Served[] }> {
  const baristas = startBaristas(ports.barista, 10);
  try {
    const regularsServed = regulars(ports.customer, { count: 200, overMs: 1000 });
    await sleep(100);
    const floodServed = flood
      ? floodFrom(ports.customer, FLOOD_ADDRESS, flood.count, flood.forge ?? false)
      : Promise.resolve([]);
    return { regulars: await regularsServed, flood: await floodServed };
  } finally {
    await baristas.stop();
  }
}
