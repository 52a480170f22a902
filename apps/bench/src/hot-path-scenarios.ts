/**
 * Scenarios 6 and 7 of issue 13, measured as the issue measured them from outside: every
 * customer on a new connection from a fresh address, the service and the bare node:http server
 * alternated round by round in the same run, medians (and, for 6, the lowest) over the rounds.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { HttpAdapterName } from '@cafe/http';
import {
  baristas,
  type BaristaTally,
  countStatuses,
  customers,
  DEFAULT_SOURCE_ADDRESS,
  distributionOf,
  type FloodOutcome,
  percentile,
  rushHour,
  type ServerProcess,
  sourceAddress,
} from '@cafe/simulation';
import { cpuTimeMs } from './proc-stats';
import { FLOOD_PROCESS } from './servers';
import {
  type BenchContext,
  type Contender,
  scaled,
  serviceEnv,
  SETTLE_MS,
  startWarm,
} from './scenarios';

const FLOOD_ROUNDS = 3;
/** Scenario 1 and the warm-up use the first addresses; these rounds start past them. */
const FIRST_FRESH_ADDRESS = 5_000;

const median = (values: readonly number[]) =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  ) ?? NaN;

function addresses(first: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) => sourceAddress(first + i));
}

const urlsOf = (server: ServerProcess) => ({
  order: new URL('order/', server.customerUrl),
  barista: new URL(server.baristaUrl),
});

export interface NewConnectionCycles {
  orders: number;
  /** Server CPU per order cycle in each round, µs. */
  cpuUsPerCycle: number[];
  medianCpuUsPerCycle: number;
  /** The lowest round: on a shared machine, interference only ever adds. */
  lowestCpuUsPerCycle: number;
  /** Customers' answers over all rounds, by status: all 200 when nothing was lost. */
  statuses: Record<number, number>;
  baristas: BaristaTally;
}

/**
 * 6. The CPU-per-cycle workload: `orders` customers at once, each on a new connection
 * from an address no earlier round used, 20 baristas asking again 1 ms after a 404, brewing
 * 0 ms; the server's CPU from /proc over the round (settle included) per order. The
 * contenders run side by side and take turns, round by round (`--rounds`).
 */
export async function newConnectionCycles(
  context: BenchContext,
  contenders: readonly Contender[],
): Promise<Record<string, NewConnectionCycles>> {
  const orders = scaled(context, 2000);
  const servers: ServerProcess[] = [];
  try {
    for (const { target, env, dist } of contenders)
      servers.push(await startWarm(target, env, dist));
    const results = contenders.map(() => ({
      orders,
      cpuUsPerCycle: [] as number[],
      statuses: {} as Record<number, number>,
      baristas: { finished: 0, emptyPolls: 0, startedTwice: 0, errors: 0 },
    }));
    let nextAddress = FIRST_FRESH_ADDRESS;
    for (let round = 1; round <= context.rounds; round++) {
      context.log(
        `6 new-connection cycles, round ${round}/${context.rounds}: ${orders} orders on ${contenders.map(({ name }) => name).join(', ')}`,
      );
      for (const [i, server] of servers.entries()) {
        const { order, barista } = urlsOf(server);
        const cpuBefore = cpuTimeMs(server.pid);
        const staff = baristas(barista, 20, { brewMs: { min: 0, max: 0 }, idleMs: 1 });
        const served = await customers(order, addresses(nextAddress, orders), 0);
        const tally = await staff.stop();
        await sleep(SETTLE_MS);
        const result = results[i];
        result.cpuUsPerCycle.push(((cpuTimeMs(server.pid) - cpuBefore) * 1000) / orders);
        for (const [status, n] of Object.entries(countStatuses(served)))
          result.statuses[Number(status)] = (result.statuses[Number(status)] ?? 0) + n;
        result.baristas.finished += tally.finished;
        result.baristas.emptyPolls += tally.emptyPolls;
        result.baristas.startedTwice += tally.startedTwice;
        result.baristas.errors += tally.errors;
        nextAddress += orders;
      }
    }
    return Object.fromEntries(
      contenders.map(({ name }, i) => [
        name,
        {
          ...results[i],
          medianCpuUsPerCycle: median(results[i].cpuUsPerCycle),
          lowestCpuUsPerCycle: Math.min(...results[i].cpuUsPerCycle),
        },
      ]),
    );
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
}

/** How the flood's orders were answered, by status; -1 for those still open when it was stopped. */
function floodStatuses({ answers, unanswered }: FloodOutcome): Record<number, number> {
  const statuses = countStatuses(answers);
  if (unanswered > 0) statuses[-1] = unanswered;
  return statuses;
}

export interface FloodRound {
  /** Regulars' p99 wait against the service and against the bare refuser, ms. */
  serviceP99Ms: number;
  bareP99Ms: number;
  ratio: number;
  serviceP50Ms: number;
  bareP50Ms: number;
  regulars: { service: Record<number, number>; bare: Record<number, number> };
  flood: { service: Record<number, number>; bare: Record<number, number> };
}

export interface RegularsUnderFlood {
  regulars: number;
  flood: number;
  rounds: FloodRound[];
  /** Median over the rounds of service p99 / bare p99. */
  medianP99Ratio: number;
}

/**
 * 7. Regulars under a flood, the rush hour of the tests (see rushHour): `regulars` customers,
 * each from a fresh address, spread over 1 s, 10 baristas brewing 30-60 ms; 100 ms in, one
 * address sends `flood` orders at once from a process of its own. The same hour against the bare server refusing that address as each
 * connection is accepted, the two taking turns (which goes first alternates) for FLOOD_ROUNDS.
 * The flood always comes from DEFAULT_SOURCE_ADDRESS (unbound, see FloodOptions), so each round
 * has a service of its own, started and warmed anew, to which that address is new.
 */
export async function regularsUnderFlood(
  context: BenchContext,
  platform: HttpAdapterName,
): Promise<RegularsUnderFlood> {
  const regularCount = scaled(context, 200);
  const floodCount = scaled(context, 3000);
  const bare = await startWarm('bare', { REFUSED_ADDRESSES: DEFAULT_SOURCE_ADDRESS });
  try {
    const hour = async (server: ServerProcess, first: number) => {
      const { regulars, flood } = await rushHour(urlsOf(server), {
        regulars: addresses(first, regularCount),
        idleMs: 1,
        // Stopped once the regulars are answered: what they waited is all that is measured.
        flood: { script: FLOOD_PROCESS, count: floodCount, graceMs: 0 },
      });
      await sleep(SETTLE_MS);
      return {
        regulars,
        waits: distributionOf(regulars.map(({ waitMs }) => waitMs)),
        floodStatuses: floodStatuses(flood),
      };
    };
    const rounds: FloodRound[] = [];
    for (let round = 1; round <= FLOOD_ROUNDS; round++) {
      context.log(
        `7 regulars under a flood on ${platform}, round ${round}/${FLOOD_ROUNDS}: ${regularCount} regulars, ${floodCount} flood orders`,
      );
      const first = FIRST_FRESH_ADDRESS + (round - 1) * 2 * regularCount;
      const service = await startWarm(platform, serviceEnv(context, platform));
      let s: Awaited<ReturnType<typeof hour>>;
      let onBare: Awaited<ReturnType<typeof hour>>;
      try {
        if (round % 2 === 1) {
          s = await hour(service, first);
          onBare = await hour(bare, first + regularCount);
        } else {
          onBare = await hour(bare, first + regularCount);
          s = await hour(service, first);
        }
      } finally {
        await service.stop();
      }
      rounds.push({
        serviceP99Ms: s.waits.p99 ?? NaN,
        bareP99Ms: onBare.waits.p99 ?? NaN,
        ratio: (s.waits.p99 ?? NaN) / (onBare.waits.p99 ?? NaN),
        serviceP50Ms: s.waits.p50 ?? NaN,
        bareP50Ms: onBare.waits.p50 ?? NaN,
        regulars: { service: countStatuses(s.regulars), bare: countStatuses(onBare.regulars) },
        flood: { service: s.floodStatuses, bare: onBare.floodStatuses },
      });
    }
    return {
      regulars: regularCount,
      flood: floodCount,
      rounds,
      medianP99Ratio: median(rounds.map(({ ratio }) => ratio)),
    };
  } finally {
    await bare.stop();
  }
}
