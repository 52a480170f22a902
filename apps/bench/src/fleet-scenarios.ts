import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import type { HttpAdapterName } from '@cafe/http';
import type { ServerProcess, SimulationOptions, SimulationReport } from '@cafe/simulation';
import { cpuTimeMs } from './proc-stats';
import {
  type BenchContext,
  type CycleCost,
  CycleRounds,
  CYCLE_ROUNDS,
  scaled,
  serviceEnv,
  SETTLE_MS,
  simulate,
  startWarm,
} from './scenarios';

/** The server the fleet scenario makes its databases on (DATABASE_URL, default the local one). */
export const DATABASE_URL =
  process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
/** Issue 10's pace for the wake latency across instances. */
const PACED_ORDERS_PER_SECOND = 200;
const PACED_SECONDS = 10;
/**
 * The baristas of every run, split over the instances: the same crew whatever the fleet's size,
 * so that what changes with the instances is the fleet, not the number of baristas polling an
 * empty queue (each polls every 1 ms of real time while idle, the story's 1 s at its scale).
 */
const BARISTAS = 20;
/**
 * Each instance's run stops its baristas once its own customers are answered, possibly holding
 * another run's order: a short lease puts that order back in the queue for the runs still going.
 */
const FLEET_LEASE_SECONDS = '1';

export interface FleetSize {
  instances: number;
  /** Burst of scenario 1 split over the instances, every customer waiting on one instance and its barista on the next. */
  cyclesPerSecond: number;
  /** Server CPU of all instances per cycle. */
  cpuUsPerCycle: number;
  /** At 200 orders/s, customers on one instance, baristas on the next: finish → 200. */
  pacedServed: number;
  wakeP50Ms: number | null;
  wakeP99Ms: number | null;
  /** PostgreSQL commits (pg_stat_database.xact_commit, reads included) per order of the paced run. */
  transactionsPerOrder: number;
  /** WAL flushes (pg_stat_wal.wal_sync, the server's: each an fdatasync) per order of the paced run. */
  walFlushesPerOrder: number;
  lost: number;
}

export interface Fleet {
  /** One instance per store: the burst of scenario 1. */
  stores: Record<'memory' | 'sqlite' | 'postgres', CycleCost>;
  sizes: FleetSize[];
}

/** A database of its own for one run, dropped afterwards. */
export async function withDatabase<T>(use: (url: string) => Promise<T>): Promise<T> {
  const name = `cafe_bench_${randomBytes(4).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(DATABASE_URL);
  url.pathname = `/${name}`;
  try {
    return await use(url.toString());
  } finally {
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

async function admin(sql: string, url = DATABASE_URL): Promise<Record<string, unknown>> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query(sql);
    return rows[0] ?? {};
  } finally {
    await client.end();
  }
}

/**
 * The database's commits (reads included) and the server's WAL flushes so far: a commit that
 * wrote waits for a flush, one that only read does not. The bench is the server's only writer.
 */
async function databaseWork(url: string): Promise<{ commits: number; walFlushes: number }> {
  const row = await admin(
    `SELECT (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()) AS commits,
            (SELECT wal_sync FROM pg_stat_wal) AS wal_flushes`,
    url,
  );
  return { commits: Number(row.commits), walFlushes: Number(row.wal_flushes) };
}

async function withServers<T>(
  count: number,
  target: HttpAdapterName,
  env: Record<string, string>,
  use: (servers: ServerProcess[]) => Promise<T>,
): Promise<T> {
  const servers: ServerProcess[] = [];
  try {
    for (let i = 0; i < count; i++) servers.push(await startWarm(target, env));
    return await use(servers);
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
}

/** One run per instance, at once: customers on instance i, baristas on instance i + 1. */
async function acrossInstances(
  servers: readonly ServerProcess[],
  options: (i: number) => Partial<SimulationOptions>,
): Promise<SimulationReport[]> {
  return Promise.all(
    servers.map((server, i) =>
      simulate(
        {
          customerUrl: server.customerUrl,
          baristaUrl: servers[(i + 1) % servers.length].baristaUrl,
        },
        options(i),
      ),
    ),
  );
}

/** Pools the finish → 200 latencies of several runs by their percentiles' worst: a bound, not an exact merge. */
const worst = (values: (number | null)[]) =>
  values.some((v) => v !== null) ? Math.max(...values.map((v) => v ?? 0)) : null;

async function fleetSize(
  context: BenchContext,
  target: HttpAdapterName,
  instances: number,
): Promise<FleetSize> {
  return withDatabase((url) =>
    withServers(
      instances,
      target,
      { ...serviceEnv(context, target), EVENT_STORE: url, BREW_LEASE_SECONDS: FLEET_LEASE_SECONDS },
      async (servers) => {
        const orders = scaled(context, 2000);
        context.log(`8 fleet of ${instances}: burst of ${orders} orders across instances`);
        const cpuBefore = servers.map((server) => cpuTimeMs(server.pid));
        const burst = await acrossInstances(servers, () => ({
          customers: Math.ceil(orders / instances),
          groupSizes: [{ min: orders, max: orders }],
          baristas: Math.ceil(BARISTAS / instances),
        }));
        await sleep(SETTLE_MS);
        const cpuMs = servers.reduce((sum, s, i) => sum + cpuTimeMs(s.pid) - cpuBefore[i], 0);
        const served = burst.reduce((sum, r) => sum + r.regulars.served, 0);

        const paced = scaled(context, PACED_ORDERS_PER_SECOND * PACED_SECONDS);
        context.log(`8 fleet of ${instances}: ${paced} orders at ${PACED_ORDERS_PER_SECOND}/s`);
        const workBefore = await databaseWork(url);
        // A group of one every `gap` story seconds per run, over `instances` runs: 200/s in all.
        const gap = (instances / PACED_ORDERS_PER_SECOND) * 1000;
        const steady = await acrossInstances(servers, () => ({
          customers: Math.ceil(paced / instances),
          groupGap: { min: gap, max: gap },
          baristas: Math.ceil(BARISTAS / instances),
          brew: { min: 30, max: 60 },
        }));
        const pacedServed = steady.reduce((sum, r) => sum + r.regulars.served, 0);
        const work = await databaseWork(url);
        const ordered = [...burst, ...steady].reduce((sum, r) => sum + r.regulars.ordered, 0);
        return {
          instances,
          // Each run's rate over its own span, added up: a run's lease-delayed tail does not count.
          cyclesPerSecond: burst.reduce((sum, r) => sum + r.servedPerSecond, 0),
          cpuUsPerCycle: (cpuMs * 1000) / Math.max(served, 1),
          pacedServed,
          wakeP50Ms: worst(steady.map((r) => r.finishToAnswerMs.p50)),
          wakeP99Ms: worst(steady.map((r) => r.finishToAnswerMs.p99)),
          transactionsPerOrder: (work.commits - workBefore.commits) / Math.max(pacedServed, 1),
          walFlushesPerOrder: (work.walFlushes - workBefore.walFlushes) / Math.max(pacedServed, 1),
          lost: ordered - served - pacedServed,
        };
      },
    ),
  );
}

/** The burst of scenario 1 against one instance on `eventStore`. */
async function oneInstance(
  context: BenchContext,
  target: HttpAdapterName,
  eventStore: string,
): Promise<CycleCost> {
  const orders = scaled(context, 2000);
  context.log(`8 one instance on ${eventStore.split(':')[0]}: ${orders} orders`);
  return withServers(
    1,
    target,
    { ...serviceEnv(context, target), EVENT_STORE: eventStore },
    async ([server]) => {
      const rounds = new CycleRounds(server, orders);
      for (let round = 0; round < CYCLE_ROUNDS; round++) await rounds.measure();
      return rounds.result();
    },
  );
}

/**
 * 8. A fleet (issue 10): one instance on memory, SQLite and PostgreSQL; then one, two and
 * three instances on one PostgreSQL log, every customer answered by an instance other than
 * the one its barista finished on.
 */
export async function fleet(context: BenchContext, target: HttpAdapterName): Promise<Fleet> {
  const file = join(tmpdir(), `cafe-bench-fleet-${process.pid}.db`);
  const removeFile = () => ['', '-wal', '-shm'].forEach((s) => rmSync(file + s, { force: true }));
  try {
    const stores = {
      memory: await oneInstance(context, target, 'memory'),
      sqlite: await oneInstance(context, target, `sqlite:${file}`),
      postgres: await withDatabase((url) => oneInstance(context, target, url)),
    };
    const sizes: FleetSize[] = [];
    for (const instances of [1, 2, 3]) sizes.push(await fleetSize(context, target, instances));
    return { stores, sizes };
  } finally {
    removeFile();
  }
}
