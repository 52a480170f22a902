/**
 * Customers and baristas for a rush hour measured from outside, where the simulator's story
 * (groups, shared connections) does not fit: every customer on a new connection of its own
 * (`agent: false`) from an address the caller picks. The tests and the bench play the same one.
 */
import { Agent } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Answer, exchange } from './http-client';
import type { Range } from './random';

/** What one customer experienced: status 0 when the connection failed. */
export interface Served extends Answer {
  /** From sending the order to the end of its answer. */
  waitMs: number;
}

/** The address the tests' and the bench's flooding clients come from when they bind one. */
export const FLOOD_ADDRESS = '127.0.66.6';

export interface CustomerOptions {
  /** The socket binds here (127.x.y.z): a distinct client without any forged header. */
  localAddress?: string;
  headers?: Record<string, string>;
}

/**
 * One customer ordering at `orderUrl` on a new connection, from `localAddress` if given (else
 * the kernel's loopback default, see DEFAULT_SOURCE_ADDRESS), waiting for the answer.
 */
export async function customer(
  orderUrl: URL,
  { localAddress, headers }: CustomerOptions = {},
): Promise<Served> {
  const sentAt = performance.now();
  const answer = await exchange({
    hostname: orderUrl.hostname,
    port: orderUrl.port,
    method: 'POST',
    path: orderUrl.pathname,
    agent: false,
    headers,
    // A 127.x source address can only reach an IPv4 loopback.
    ...(localAddress ? { localAddress, family: 4 } : {}),
  }).catch((error: Error) => ({ status: 0, headers: {}, body: String(error) }));
  return { ...answer, waitMs: performance.now() - sentAt };
}

/** One customer per address, the i-th sent `i × spreadMs / count` after the first (0: all at once). */
export async function customers(
  orderUrl: URL,
  addresses: readonly string[],
  spreadMs: number,
): Promise<Served[]> {
  const start = performance.now();
  const orders: Promise<Served>[] = [];
  for (let i = 0; i < addresses.length; i++) {
    const due = start + (i * spreadMs) / addresses.length - performance.now();
    if (due > 0) await sleep(due);
    orders.push(customer(orderUrl, { localAddress: addresses[i] }));
  }
  return Promise.all(orders);
}

/** How many answers had each status, e.g. `{ 200: 198, 429: 2 }`. */
export function countStatuses(answers: readonly { status: number }[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const { status } of answers) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
}

export interface BaristaTally {
  finished: number;
  /** `/start/` answered 404: how often the baristas found the queue empty. */
  emptyPolls: number;
  /** Order ids `/start/` handed out more than once: must stay 0. */
  startedTwice: number;
  /** Answers other than 200 and `/start/`'s 404, and failed connections: must stay 0. */
  errors: number;
}

export interface BaristaOptions {
  /** How long a drink takes, drawn uniformly (Math.random: the story needs no replay). */
  brewMs: Range;
  /** How long a barista who found the queue empty waits before asking again. */
  idleMs: number;
}

/** `count` baristas looping start → brew → finish on one keep-alive agent, until stopped. */
export function baristas(
  baristaUrl: URL,
  count: number,
  { brewMs, idleMs }: BaristaOptions,
): { stop(): Promise<BaristaTally> } {
  const agent = new Agent({ keepAlive: true });
  const request = (method: string, path: string) =>
    exchange({ hostname: baristaUrl.hostname, port: baristaUrl.port, method, path, agent }).catch(
      () => ({ status: 0, body: undefined }),
    );
  const tally: BaristaTally = { finished: 0, emptyPolls: 0, startedTwice: 0, errors: 0 };
  const started = new Set<string>();
  let running = true;
  const work = async () => {
    while (running) {
      const next = await request('GET', '/start/');
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
      const done = await request('POST', `/finish/?order_id=${encodeURIComponent(orderId)}`);
      if (done.status === 200) tally.finished++;
      else tally.errors++;
    }
  };
  const workers = Array.from({ length: count }, work);
  return {
    /** Lets each barista finish the drink in hand, then stops them. */
    async stop() {
      running = false;
      await Promise.all(workers);
      agent.destroy();
      return tally;
    },
  };
}
