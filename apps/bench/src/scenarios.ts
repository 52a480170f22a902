import { execFile } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import type { HttpAdapterName } from '@cafe/http';
import type { LogLevelName } from '../../cafe/src/config';
import {
  DEFAULT_SOURCE_ADDRESS,
  floodReport,
  FloodProcess,
  MAX_SOURCE_ADDRESSES,
  type ServerProcess,
  ServerRefused,
  Simulation,
  type SimulationOptions,
  type SimulationReport,
} from '@cafe/simulation';
import { cpuTimeMs, rssBytes } from './proc-stats';
import { BARE_SERVER, CAFE_MAIN, FLOOD_PROCESS, NEST_FLOOR_SERVER, startServer } from './servers';

/** What every scenario shares: how much to scale sizes, and settings passed to the service. */
export interface BenchContext {
  /** 1 runs the sizes of the issue; 0.1 a tenth of every count, for development. */
  scale: number;
  /** Customers held at once in scenario 3, before scaling. */
  heldWaits: number;
  env: Record<string, string>;
  /** Rounds of scenarios 1 and 6 (`--rounds`). */
  rounds: number;
  log(line: string): void;
}

/** A minimal Nest app on one platform serving the bare server's protocol (nest-floor-server.ts). */
export type FloorTarget = `nest-${HttpAdapterName}`;
export type Target = HttpAdapterName | 'bare' | FloorTarget;

export const floorOf = (platform: HttpAdapterName): FloorTarget => `nest-${platform}`;

/**
 * What sets a service apart from the one `--env` configures, in scenarios 1 and 6, which
 * alternate all of them round by round in one run (`--levels`, `--before`): on a shared
 * machine only figures of one run compare fairly.
 */
export interface Variant {
  /** LOG_LEVEL instead of the configured one. */
  level?: LogLevelName;
  /** An earlier build's dist directory to start it from; this build's when absent. */
  before?: string;
}

/** The service as `--env` configures it, from this build. */
export const AS_CONFIGURED: Variant = {};

/** How a variant is named in the results and the table: `before`, `warn`, `before warn`; '' for none. */
export const variantName = ({ level, before }: Variant): string =>
  [before === undefined ? '' : 'before', level ?? ''].filter(Boolean).join(' ');

/** One server of a run that alternates several: a target, possibly in a variant. */
export interface Contender {
  /** Its key in the results: the target's name, then the variant's (`fastify before warn`). */
  name: string;
  target: Target;
  env: Record<string, string>;
  dist?: string;
}

export function contender(
  context: BenchContext,
  target: Target,
  variant: Variant = AS_CONFIGURED,
): Contender {
  const env = serviceEnv(context, target);
  return {
    name: [target, variantName(variant)].filter(Boolean).join(' '),
    target,
    env: variant.level === undefined ? env : { ...env, LOG_LEVEL: variant.level },
    dist: variant.before,
  };
}

const WARM_UP_ORDERS = 200;
export const CYCLE_ROUNDS = 5;
/** Socket teardown after the last answer still costs the server: let it happen inside the window. */
export const SETTLE_MS = 300;
const RUN_DEADLINE_MS = 300_000;

const all = (n: number) => ({ min: n, max: n });

export function scaled(context: BenchContext, n: number): number {
  return Math.max(1, Math.round(n * context.scale));
}

/** The whole crowd at once, from distinct addresses, brewing in no time: the request path alone. */
function burst(orders: number, baristas: number): Partial<SimulationOptions> {
  return { customers: orders, groupSizes: [all(orders)], baristas, brew: all(0) };
}

/** Plays the story against a customer and a barista URL, by default one server's. */
export function simulate(
  server: Pick<ServerProcess, 'customerUrl' | 'baristaUrl'>,
  options: Partial<SimulationOptions>,
): Promise<SimulationReport> {
  return new Simulation({
    customerUrl: server.customerUrl,
    baristaUrl: server.baristaUrl,
    customers: 0,
    groupSizes: [all(1)],
    groupGap: all(0),
    baristas: 10,
    brew: all(0),
    flood: 0,
    floodIp: DEFAULT_SOURCE_ADDRESS,
    sourceIps: MAX_SOURCE_ADDRESSES,
    timeScale: 0.001,
    seed: 1,
    deadlineMs: RUN_DEADLINE_MS,
    ...options,
  }).run();
}

export function serviceEnv(context: BenchContext, target: Target): Record<string, string> {
  if (target === 'bare') return {};
  if (target.startsWith('nest-')) return { HTTP_ADAPTER: target.slice('nest-'.length) };
  return { ...context.env, HTTP_ADAPTER: target };
}

/** Starts `target` (from the dist directory `dist`, if given: see startServer) and warms it up. */
export async function startWarm(
  target: Target,
  env: Record<string, string>,
  dist?: string,
): Promise<ServerProcess> {
  const script =
    target === 'bare' ? BARE_SERVER : target.startsWith('nest-') ? NEST_FLOOR_SERVER : CAFE_MAIN;
  const server = await startServer(script, env, dist);
  try {
    await simulate(server, burst(WARM_UP_ORDERS, 10)); // JIT and lazy set-up out of the way
    return server;
  } catch (error) {
    await server.stop();
    throw error;
  }
}

export async function withServer<T>(
  target: Target,
  env: Record<string, string>,
  use: (server: ServerProcess) => Promise<T>,
): Promise<T> {
  const server = await startWarm(target, env);
  try {
    return await use(server);
  } finally {
    await server.stop();
  }
}

export interface CycleCost {
  orders: number;
  rounds: number;
  /** Best round: on a shared machine, interference only ever adds. */
  cyclesPerSecond: number;
  cpuUsPerCycle: number;
  /** Server CPU per cycle in each round, µs. */
  cpuUsPerCycleRounds: number[];
  startedTwice: number;
  lost: number;
}

/** Accumulates rounds of one burst against one server. */
export class CycleRounds {
  private readonly rates: number[] = [];
  private readonly costs: number[] = [];
  private startedTwice = 0;
  private lost = 0;

  constructor(
    readonly server: ServerProcess,
    private readonly orders: number,
  ) {}

  async measure(): Promise<void> {
    const cpuBefore = cpuTimeMs(this.server.pid);
    const report = await simulate(this.server, burst(this.orders, 20));
    await sleep(SETTLE_MS);
    const cpuAfter = cpuTimeMs(this.server.pid);
    this.rates.push(report.servedPerSecond);
    this.costs.push(((cpuAfter - cpuBefore) * 1000) / Math.max(report.regulars.served, 1));
    this.startedTwice += report.startedTwice;
    this.lost += report.regulars.ordered - report.regulars.served;
  }

  result(): CycleCost {
    return {
      orders: this.orders,
      rounds: this.rates.length,
      cyclesPerSecond: Math.max(...this.rates),
      cpuUsPerCycle: Math.min(...this.costs),
      cpuUsPerCycleRounds: [...this.costs],
      startedTwice: this.startedTwice,
      lost: this.lost,
    };
  }
}

/**
 * 1. Order cycle cost: 2,000 orders at once, 20 baristas, no brewing. Every contender runs at
 * the same time, idle but for its turn, and the rounds (`--rounds`) alternate between them, so
 * that a neighbour's load on the shared machine hits them alike.
 */
export async function orderCycleCost(
  context: BenchContext,
  contenders: readonly Contender[],
): Promise<Record<string, CycleCost>> {
  const orders = scaled(context, 2000);
  const started: CycleRounds[] = [];
  try {
    for (const { target, env, dist } of contenders) {
      started.push(new CycleRounds(await startWarm(target, env, dist), orders));
    }
    for (let round = 1; round <= context.rounds; round++) {
      context.log(
        `1 order cycle cost, round ${round}/${context.rounds}: ${orders} orders on ${contenders.map(({ name }) => name).join(', ')}`,
      );
      for (const rounds of started) await rounds.measure();
    }
    return Object.fromEntries(contenders.map(({ name }, i) => [name, started[i].result()]));
  } finally {
    await Promise.all(started.map((rounds) => rounds.server.stop()));
  }
}

export interface RushHour {
  regulars: number;
  flood: number;
  /** The regulars' run without a flood, and with one. */
  calm: SimulationReport;
  flooded: SimulationReport;
  /** How the flood's orders ended (stopped once every regular had an answer). */
  flooder: ReturnType<typeof floodReport>;
  p50Ratio: number | null;
  p99Ratio: number | null;
}

const ratio = (a: number | null, b: number | null) => (a === null || !b ? null : a / b);

/** Longest the regulars wait for the flood to reach the service before they arrive. */
const FLOOD_HEAD_START_MS = 500;

/**
 * Sends the flood (from loopback's default address, see FloodOptions) and resolves once it has
 * reached the service (orders queued, or every one refused) or after FLOOD_HEAD_START_MS.
 */
async function startFlood(server: ServerProcess, orders: number): Promise<FloodProcess> {
  const flood = await FloodProcess.start(FLOOD_PROCESS, {
    orderUrl: new URL('order/', server.customerUrl).href,
    count: orders,
  });
  flood.go();
  const deadline = Date.now() + FLOOD_HEAD_START_MS;
  while (!flood.hasExited() && Date.now() < deadline && (await server.queue()).queued === 0) {
    await sleep(10);
  }
  return flood;
}

/** 2. Rush hour: regulars in groups with 10 baristas brewing 30-60 ms, without and with a flood. */
export async function rushHour(context: BenchContext, target: HttpAdapterName): Promise<RushHour> {
  const regulars = scaled(context, 200);
  const flood = scaled(context, 5000);
  const story: Partial<SimulationOptions> = {
    customers: regulars,
    groupSizes: [all(1), all(1), { min: 2, max: 5 }, { min: 10, max: 20 }],
    groupGap: { min: 0, max: 50 },
    baristas: 10,
    brew: { min: 30, max: 60 },
    timeScale: 0.001,
  };
  return withServer(target, serviceEnv(context, target), async (server) => {
    context.log(`2 rush hour on ${target}: ${regulars} regulars, no flood`);
    const calm = await simulate(server, story);
    context.log(`2 rush hour on ${target}: ${regulars} regulars and ${flood} flood orders`);
    const flooding = await startFlood(server, flood);
    const flooded = await simulate(server, story);
    const flooder = floodReport(await flooding.end(0));
    return {
      regulars,
      flood,
      calm,
      flooded,
      flooder,
      p50Ratio: ratio(flooded.regularWaitMs.p50, calm.regularWaitMs.p50),
      p99Ratio: ratio(flooded.regularWaitMs.p99, calm.regularWaitMs.p99),
    };
  });
}

export interface HeldWaits {
  waits: number;
  held: number;
  rssBeforeBytes: number;
  rssAfterBytes: number;
  bytesPerWait: number;
  finishToAnswerP50Ms: number | null;
  finishToAnswerP99Ms: number | null;
  served: number;
}

const HOLD_TIMEOUT_MS = 120_000;
/**
 * Once held, the waits are released at the story's pace, ten times faster (3-6 ms of brewing,
 * about 2,200 finishes/s from 10 baristas): a server run flat out would measure its own
 * saturation instead of the release path.
 */
const STORY_PACE: Partial<SimulationOptions> = { brew: { min: 30, max: 60 }, timeScale: 0.0001 };
const STEADY_MS = 1000;

/** How many customers scenario 3 holds at once: each needs an open file here and in the service. */
export function heldWaitsCount(context: BenchContext): number {
  return scaled(context, context.heldWaits);
}

/** 3. Held waits: 10,000 customers (`--held-waits`) waiting at once; memory per wait, then /finish/ → 200 latency. */
export async function heldWaits(context: BenchContext, target: Target): Promise<HeldWaits> {
  const waits = heldWaitsCount(context);
  context.log(`3 held waits on ${target}: ${waits} customers`);
  return withServer(target, serviceEnv(context, target), async (server) => {
    await sleep(STEADY_MS);
    const rssBeforeBytes = rssBytes(server.pid);
    let rssAfterBytes = 0;
    let held = 0;
    const report = await simulate(server, {
      ...burst(waits, 10),
      ...STORY_PACE,
      beforeBaristas: async () => {
        const deadline = Date.now() + HOLD_TIMEOUT_MS;
        while ((held = (await server.queue()).queued) < waits && Date.now() < deadline) {
          await sleep(100);
        }
        await sleep(STEADY_MS);
        rssAfterBytes = rssBytes(server.pid);
      },
    });
    return {
      waits,
      held,
      rssBeforeBytes,
      rssAfterBytes,
      bytesPerWait: (rssAfterBytes - rssBeforeBytes) / waits,
      finishToAnswerP50Ms: report.finishToAnswerMs.p50,
      finishToAnswerP99Ms: report.finishToAnswerMs.p99,
      served: report.regulars.served,
    };
  });
}

export type DurableOrderCycles =
  ({ available: true } & CycleCost) | { available: false; reason: string };

/** 4. Durable order cycles: the burst of scenario 1 with EVENT_STORE=sqlite, if the service has it. */
export async function durableOrderCycles(
  context: BenchContext,
  target: HttpAdapterName,
): Promise<DurableOrderCycles> {
  const orders = scaled(context, 2000);
  const file = join(tmpdir(), `cafe-bench-${process.pid}-${target}.db`);
  const removeFiles = () => {
    for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
  };
  removeFiles();
  context.log(`4 durable order cycles on ${target}: EVENT_STORE=sqlite:${file}`);
  try {
    return await withServer(
      target,
      { ...serviceEnv(context, target), EVENT_STORE: `sqlite:${file}` },
      async (server) => {
        // A service that ignores the setting would be measured in memory: do not report that as durable.
        if (!existsSync(file)) {
          return { available: false, reason: 'EVENT_STORE ignored (no database file)' };
        }
        const rounds = new CycleRounds(server, orders);
        for (let round = 0; round < CYCLE_ROUNDS; round++) await rounds.measure();
        return { available: true, ...rounds.result() };
      },
    );
  } catch (error) {
    if (error instanceof ServerRefused) return { available: false, reason: error.message };
    throw error;
  } finally {
    removeFiles();
  }
}

export interface Replay {
  events: number;
  orders: number;
  queueMs: number;
  ordersMs: number;
  totalMs: number;
}

/** 5. Replay: rebuilding the projections from 1,000,000 events, in a process of its own. */
export async function replayEvents(context: BenchContext): Promise<Replay> {
  const events = scaled(context, 1_000_000);
  context.log(`5 replay of ${events} events`);
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--expose-gc', join(__dirname, 'replay-events.js'), String(events)],
    { maxBuffer: 1 << 20 },
  );
  return JSON.parse(stdout) as Replay;
}

interface ThrottlerFigures {
  bytesPerAddressOneOrder: number;
  bytesPerAddress100Orders: number;
  cpuUsPerOrderAt1000: number;
}

export interface ThrottlerStorageFigures {
  addresses: number;
  before: ThrottlerFigures;
  after: ThrottlerFigures;
}

/**
 * 9. The flood guard's throttler storage before issue 17 (sliding window) and after (GCRA):
 * heap per address, and CPU per order of an address with 1,000 orders in its window; in a
 * process of its own.
 */
export async function throttlerStorage(context: BenchContext): Promise<ThrottlerStorageFigures> {
  const addresses = scaled(context, 20_000);
  context.log(`9 throttler storage, ${addresses} addresses`);
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--expose-gc', join(__dirname, 'throttler-storage.js'), String(addresses)],
    { maxBuffer: 1 << 20 },
  );
  return JSON.parse(stdout) as ThrottlerStorageFigures;
}
