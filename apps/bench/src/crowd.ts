/**
 * The bench's own clients for scenarios 6 and 7, where the simulator's story does not fit:
 * every customer on a new connection of its own (`agent: false`) from an address the scenario
 * picks, so that each round uses fresh addresses; baristas that ask again `idleMs` after a 404.
 */
import { Agent } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { exchange, type Range } from '@cafe/simulation';

export interface CustomerOutcome {
  /** 0 when the connection failed. */
  status: number;
  /** From sending the order to the end of its answer. */
  waitMs: number;
}

/**
 * One customer ordering on a new connection, from `localAddress` if given (else the kernel's
 * loopback default, see DEFAULT_SOURCE_ADDRESS), waiting for the answer.
 */
export async function customer(orderUrl: URL, localAddress?: string): Promise<CustomerOutcome> {
  const sentAt = performance.now();
  const { status } = await exchange({
    hostname: orderUrl.hostname,
    port: orderUrl.port,
    method: 'POST',
    path: orderUrl.pathname,
    agent: false,
    ...(localAddress ? { localAddress, family: 4 } : {}),
  }).catch(() => ({ status: 0 }));
  return { status, waitMs: performance.now() - sentAt };
}

/** One customer per address, the i-th sent `i × spreadMs / count` after the first (0: all at once). */
export async function customers(
  orderUrl: URL,
  addresses: readonly string[],
  spreadMs: number,
): Promise<CustomerOutcome[]> {
  const start = performance.now();
  const orders: Promise<CustomerOutcome>[] = [];
  for (let i = 0; i < addresses.length; i++) {
    const due = start + (i * spreadMs) / addresses.length - performance.now();
    if (due > 0) await sleep(due);
    orders.push(customer(orderUrl, addresses[i]));
  }
  return Promise.all(orders);
}

export interface BaristaTally {
  finished: number;
  /** `/start/` answered 404: how often the baristas found the queue empty. */
  emptyPolls: number;
  /** Order ids `/start/` handed out more than once: must stay 0. */
  startedTwice: number;
  /** Answers other than 200 and `/start/`'s 404, and failed connections. */
  errors: number;
}

/** `count` baristas looping start → brew `brewMs` → finish on one keep-alive agent, until stopped. */
export function baristas(
  baristaUrl: URL,
  count: number,
  { brewMs, idleMs }: { brewMs: Range; idleMs: number },
): { stop(): Promise<BaristaTally> } {
  const agent = new Agent({ keepAlive: true });
  const request = (method: string, path: string) =>
    exchange({ hostname: baristaUrl.hostname, port: baristaUrl.port, method, path, agent });
  const tally: BaristaTally = { finished: 0, emptyPolls: 0, startedTwice: 0, errors: 0 };
  const started = new Set<string>();
  let running = true;
  const work = async () => {
    while (running) {
      const next = await request('GET', '/start/').catch(() => ({ status: 0, body: undefined }));
      const orderId = (next.body as { order_id?: string } | undefined)?.order_id;
      if (next.status !== 200 || orderId === undefined) {
        if (next.status === 404) tally.emptyPolls++;
        else tally.errors++;
        await sleep(idleMs);
        continue;
      }
      if (started.has(orderId)) tally.startedTwice++;
      started.add(orderId);
      const brew = brewMs.min + Math.random() * (brewMs.max - brewMs.min);
      if (brew > 0) await sleep(brew);
      const done = await request('POST', `/finish/?order_id=${encodeURIComponent(orderId)}`).catch(
        () => ({ status: 0 }),
      );
      if (done.status === 200) tally.finished++;
      else tally.errors++;
    }
  };
  const workers = Array.from({ length: count }, work);
  return {
    async stop() {
      running = false;
      await Promise.all(workers);
      agent.destroy();
      return tally;
    },
  };
}
