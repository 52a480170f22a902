import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import type { HttpAdapterName } from '@cafe/http';
import { type Answer, exchange, type ServerProcess, TcpProxy } from '@cafe/simulation';
import { DATABASE_URL, withDatabase } from './fleet-scenarios';
import { type BenchContext, serviceEnv } from './scenarios';
import { CAFE_MAIN, startServer } from './servers';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const ROUNDS = 3;
/** How long a partition lasts once the café has found it, before the heal. */
const PARTITION_MS = 2000;
const POLL_MS = 20;
/** Past this, a recovery is reported as not happening (`null`), and the round moves on. */
const GIVE_UP_MS = 60_000;

/** Milliseconds from a fault (or its heal) to what the café did about it; null: never within GIVE_UP_MS. */
export interface PartitionRound {
  /** `GET /health` turned 503 after the black hole. */
  healthDownMs: number | null;
  /** A `POST /order/` (respond-async) sent as the link went silent was answered; with its status. */
  orderAnsweredMs: number | null;
  orderStatus: number;
  /** `GET /health` was 200 again after the heal. */
  healthUpMs: number | null;
  /** The customer waiting on this café, whose order was finished on the other one meanwhile, was answered after the heal. */
  releasedMs: number | null;
}

export interface RedisRound {
  /** A `POST /order/` (respond-async) sent as Redis went silent was answered; with its status. */
  orderAnsweredMs: number | null;
  orderStatus: number;
  /** `cafe_flood_limits_shared` turned 0. */
  unsharedMs: number | null;
  /** `cafe_flood_limits_shared` was 1 again after the heal. */
  sharedAgainMs: number | null;
}

export interface NetworkFaults {
  postgres: PartitionRound[];
  /** A `POST /order/` (respond-async) while a session held the log's lock: answered after, with its status. */
  stuckLock: { answeredMs: number | null; status: number }[];
  redis: RedisRound[];
}

/**
 * Scenario 11 (issue 18): recovery times of the faults test/network-faults.e2e-spec.ts plays,
 * at the café's default deadlines. Café A reaches the server through a relay that black-holes
 * the link and heals it leaving the old connections half-open; café B reaches it directly.
 */
export async function networkFaults(
  context: BenchContext,
  target: HttpAdapterName,
): Promise<NetworkFaults> {
  const env = serviceEnv(context, target);
  const results: NetworkFaults = { postgres: [], stuckLock: [], redis: [] };
  for (let round = 1; round <= ROUNDS; round++) {
    context.log(`11 network faults on ${target}, round ${round}/${ROUNDS}`);
    results.postgres.push(await withDatabase((url) => postgresPartition(env, url)));
    results.stuckLock.push(await withDatabase((url) => stuckLock(env, url)));
    results.redis.push(await redisPartition(env));
  }
  return results;
}

async function postgresPartition(env: Record<string, string>, url: string) {
  return withProxy(DATABASE_URL, async (proxy) => {
    const a = await startServer(CAFE_MAIN, { ...env, EVENT_STORE: proxy.through(url) });
    const b = await startServer(CAFE_MAIN, { ...env, EVENT_STORE: url });
    try {
      const waiting = ask(a.customerPort, 'POST', '/order/');
      await until(async () => (await b.queue()).queued === 1);

      const cut = Date.now();
      proxy.blackHole();
      const order = timed(cut, placeAsync(a));
      const healthDown = since(cut, () => healthIs(a, 503));
      const started = await ask(b.baristaPort, 'GET', '/start/');
      const orderId = (started.body as { order_id: string }).order_id;
      await ask(b.baristaPort, 'POST', `/finish/?order_id=${orderId}`);
      const [healthDownMs, answered] = await Promise.all([healthDown, order]);
      await sleep(PARTITION_MS);

      const heal = Date.now();
      proxy.heal();
      const released = timed(heal, waiting);
      const healthUpMs = await since(heal, () => healthIs(a, 200));
      return {
        healthDownMs,
        orderAnsweredMs: answered.ms,
        orderStatus: answered.status,
        healthUpMs,
        releasedMs: (await released).ms,
      };
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });
}

async function stuckLock(env: Record<string, string>, url: string) {
  const a = await startServer(CAFE_MAIN, { ...env, EVENT_STORE: url });
  const holder = new Client({ connectionString: url });
  await holder.connect();
  try {
    await holder.query('BEGIN');
    // cafe_append's lock of the log (migration 003).
    await holder.query("SELECT pg_advisory_xact_lock(hashtext('cafe_log_head'))");
    const { ms, status } = await timed(Date.now(), placeAsync(a));
    return { answeredMs: ms, status };
  } finally {
    await holder.query('ROLLBACK');
    await holder.end();
    await a.stop();
  }
}

async function redisPartition(env: Record<string, string>): Promise<RedisRound> {
  return withProxy(REDIS_URL, async (proxy) => {
    const prefix = `bench:${process.pid}:${Date.now()}:`;
    const a = await startServer(CAFE_MAIN, {
      ...env,
      EVENT_STORE: 'memory',
      REDIS_URL: proxy.through(REDIS_URL),
      REDIS_KEY_PREFIX: prefix,
    });
    try {
      await until(() => limitsShared(a, true));
      const cut = Date.now();
      proxy.blackHole();
      const order = timed(cut, placeAsync(a));
      const unsharedMs = await since(cut, () => limitsShared(a, false));
      const answered = await order;
      await sleep(PARTITION_MS);
      const heal = Date.now();
      proxy.heal();
      const sharedAgainMs = await since(heal, () => limitsShared(a, true));
      return {
        orderAnsweredMs: answered.ms,
        orderStatus: answered.status,
        unsharedMs,
        sharedAgainMs,
      };
    } finally {
      await a.stop();
    }
  });
}

async function withProxy<T>(target: string, use: (proxy: TcpProxy) => Promise<T>): Promise<T> {
  const proxy = await TcpProxy.start(new URL(target));
  try {
    return await use(proxy);
  } finally {
    await proxy.cut();
  }
}

function ask(port: number, method: string, path: string, headers: Record<string, string> = {}) {
  return exchange({ host: '127.0.0.1', port, method, path, agent: false, headers });
}

function placeAsync(cafe: ServerProcess): Promise<Answer> {
  return ask(cafe.customerPort, 'POST', '/order/', { prefer: 'respond-async' });
}

async function healthIs(cafe: ServerProcess, status: number): Promise<boolean> {
  return (await ask(cafe.customerPort, 'GET', '/health')).status === status;
}

async function limitsShared(cafe: ServerProcess, shared: boolean): Promise<boolean> {
  const { body } = await ask(cafe.baristaPort, 'GET', '/metrics');
  return new RegExp(`^cafe_flood_limits_shared ${shared ? 1 : 0}$`, 'm').test(String(body));
}

/** How long after `from` the answer came, and its status; ms null when it never came. */
async function timed(from: number, answer: Promise<Answer>) {
  const outcome = await Promise.race([answer, sleep(GIVE_UP_MS).then(() => undefined)]);
  return outcome ? { ms: Date.now() - from, status: outcome.status } : { ms: null, status: 0 };
}

/** How long after `from` the probe first held; null when it did not within GIVE_UP_MS. */
async function since(from: number, probe: () => Promise<boolean>): Promise<number | null> {
  while (Date.now() - from < GIVE_UP_MS) {
    if (await probe().catch(() => false)) return Date.now() - from;
    await sleep(POLL_MS);
  }
  return null;
}

async function until(probe: () => Promise<boolean>): Promise<void> {
  if ((await since(Date.now(), probe)) === null) {
    throw new Error(`scenario 11: not ready within ${GIVE_UP_MS} ms`);
  }
}
