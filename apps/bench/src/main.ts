/**
 * `make bench`: starts the service itself on each platform in turn (and the bare node:http
 * server for scale), runs the scenarios of issue 6, prints a table and writes
 * bench/results/latest.json and latest.md. Not a test: nothing here fails on a slow machine.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, release } from 'node:os';
import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { HTTP_ADAPTERS, type HttpAdapterName } from '@cafe/http';
import { openFileLimit, openFileShortfall, wholeNumber } from '@cafe/simulation';
import {
  type BenchContext,
  type CycleCost,
  durableOrderCycles,
  floorOf,
  type DurableOrderCycles,
  heldWaits,
  type HeldWaits,
  heldWaitsCount,
  orderCycleCost,
  replayEvents,
  scaled,
  type Replay,
  rushHour,
  type RushHour,
  type Target,
  throttlerStorage,
  type ThrottlerStorageFigures,
} from './scenarios';
import {
  newConnectionCycles,
  type NewConnectionCycles,
  regularsUnderFlood,
  type RegularsUnderFlood,
} from './hot-path-scenarios';
import { type Fleet, fleet } from './fleet-scenarios';
import { type NetworkFaults, networkFaults } from './network-fault-scenarios';
import { type BoundedStateRun, boundedState } from './bounded-state';
import { type CyclesUnderReaders, cyclesUnderReaders } from './stream-readers';
import { serviceStdout } from './servers';
import { type Row, toMarkdown, toText } from './table';

const RESULTS_DIR = join(__dirname, '..', '..', '..', '..', 'bench', 'results');
const SCENARIOS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13] as const;

interface Results {
  cycleCost: Partial<Record<Target, CycleCost>>;
  rushHour: Partial<Record<HttpAdapterName, RushHour>>;
  heldWaits: Partial<Record<Target, HeldWaits>>;
  durable: Partial<Record<HttpAdapterName, DurableOrderCycles>>;
  replay?: Replay;
  throttler?: ThrottlerStorageFigures;
  newConnections: Partial<Record<Target, NewConnectionCycles>>;
  underFlood: Partial<Record<HttpAdapterName, RegularsUnderFlood>>;
  fleet: Partial<Record<HttpAdapterName, Fleet>>;
  networkFaults: Partial<Record<HttpAdapterName, NetworkFaults>>;
  underReaders: Partial<Record<HttpAdapterName, CyclesUnderReaders[]>>;
  boundedState: BoundedStateRun[];
}

function envPair(text: string, previous: Record<string, string>): Record<string, string> {
  const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(text);
  if (!match) throw new InvalidArgumentError('expected NAME=value');
  return { ...previous, [match[1]]: match[2] };
}

function list<T extends string | number>(allowed: readonly T[]) {
  return (text: string): T[] => {
    const picked = text.split(',').map((item) => allowed.find((a) => String(a) === item.trim()));
    if (picked.some((item) => item === undefined)) {
      throw new InvalidArgumentError(`expected a comma-separated list of ${allowed.join(', ')}`);
    }
    return picked as T[];
  };
}

function positive(text: string): number {
  const value = Number(text);
  if (!(value > 0) || !Number.isFinite(value))
    throw new InvalidArgumentError('expected a number > 0');
  return value;
}

function command(): Command {
  return new Command('bench')
    .description('Runs the benchmark scenarios of issue 6 against freshly started services.')
    .option(
      '--scale <factor>',
      'multiply every size (BENCH_SCALE; 0.1 while developing)',
      positive,
      Number(process.env.BENCH_SCALE ?? 1),
    )
    .option('--platforms <list>', 'HTTP platforms to run', list(HTTP_ADAPTERS), [...HTTP_ADAPTERS])
    .option(
      '--scenarios <list>',
      'scenarios to run (1-9, 11-13; 8 and 11 need PostgreSQL at DATABASE_URL, 11 Redis at REDIS_URL)',
      list(SCENARIOS),
      [...SCENARIOS],
    )
    .option(
      '--held-waits <n>',
      'customers held at once in scenario 3 (needs a ulimit -n above it)',
      wholeNumber(1),
      10_000,
    )
    .option(
      '--floor',
      "scenario 6 also on a minimal Nest app per platform (the framework's floor)",
      false,
    )
    .option(
      '--env <NAME=value>',
      'passed to the service (repeatable), e.g. QUEUE_POLICY=fair',
      envPair,
      {},
    );
}

const us = (value: number) => `${value.toFixed(0)} µs`;
const msText = (value: number | null) => (value === null ? '-' : `${value.toFixed(1)} ms`);
const times = (value: number | null) => (value === null ? '-' : `x${value.toFixed(2)}`);
const verdict = (met: boolean) => (met ? 'met' : 'MISSED');

/** Targets of issue 13, by platform, as multiples of the bare server's CPU per cycle. */
const CPU_TARGET: Record<HttpAdapterName, number> = { express: 2.8, fastify: 1.6 };
const CPU_TARGET_TEXT = 'express ≤ x2.8, fastify ≤ x1.6 of bare';
/** Issue 13's ceilings of RSS per held wait, KB. */
const HELD_WAIT_KB_TARGET: Record<HttpAdapterName, number> = { express: 15, fastify: 12 };
/** Issue 13: regulars' p99 under the flood, as a multiple of theirs against the bare refuser. */
const FLOOD_P99_TARGET = 1.2;

const statusText = (counts: Record<number, number>) =>
  Object.entries(counts)
    .map(([status, n]) => `${status === '-1' ? 'open' : status === '0' ? 'failed' : status}: ${n}`)
    .join(', ');

function rows(results: Results, platforms: readonly HttpAdapterName[]): Row[] {
  const out: Row[] = [];
  const perPlatform = (fill: (platform: HttpAdapterName) => string) =>
    Object.fromEntries(platforms.map((p) => [p, fill(p)]));
  const cost = results.cycleCost;
  const bare = cost.bare;
  if (Object.keys(cost).length) {
    out.push({
      metric: '1 cycle cost: wall cycles/s',
      values: {
        ...perPlatform((p) => cost[p]?.cyclesPerSecond.toFixed(0) ?? '-'),
        other: bare?.cyclesPerSecond.toFixed(0) ?? '-',
      },
      target: '',
    });
    out.push({
      metric: '1 cycle cost: server CPU per cycle',
      values: {
        ...perPlatform((p) => {
          const c = cost[p];
          if (!c) return '-';
          if (!bare) return us(c.cpuUsPerCycle);
          const r = c.cpuUsPerCycle / bare.cpuUsPerCycle;
          return `${us(c.cpuUsPerCycle)} ${times(r)} ${verdict(r <= CPU_TARGET[p])}`;
        }),
        other: bare ? `${us(bare.cpuUsPerCycle)} (bare)` : '-',
      },
      target: CPU_TARGET_TEXT,
    });
    out.push({
      metric: '1 cycle cost: started twice / lost',
      values: {
        ...perPlatform((p) => (cost[p] ? `${cost[p].startedTwice} / ${cost[p].lost}` : '-')),
        other: bare ? `${bare.startedTwice} / ${bare.lost}` : '-',
      },
      target: '0 / 0',
    });
  }
  const rush = results.rushHour;
  if (Object.keys(rush).length) {
    for (const [name, key, ratioKey] of [
      ['p50', 'p50', 'p50Ratio'],
      ['p99', 'p99', 'p99Ratio'],
    ] as const) {
      out.push({
        metric: `2 rush hour: regulars' wait ${name}, calm → flood`,
        values: perPlatform((p) => {
          const r = rush[p];
          if (!r) return '-';
          const ratio = r[ratioKey];
          return (
            `${msText(r.calm.regularWaitMs[key])} → ${msText(r.flooded.regularWaitMs[key])} ` +
            `${times(ratio)} ${verdict(ratio !== null && ratio <= 1.2)}`
          );
        }),
        target: 'ratio ≤ x1.2',
      });
    }
    out.push({
      metric: '2 rush hour: 429 answered per second',
      values: perPlatform((p) => {
        const rate = rush[p]?.flooder.throttledPerSecond;
        return rate === undefined ? '-' : rate === null ? 'no 429' : rate.toFixed(0);
      }),
      target: '',
    });
    out.push({
      metric: '2 rush hour: flood served/throttled/cancelled/open',
      values: perPlatform((p) => {
        const f = rush[p]?.flooder.flood;
        return f ? `${f.served}/${f.throttled}/${f.cancelled}/${f.unanswered}` : '-';
      }),
      target: '',
    });
  }
  const held = results.heldWaits;
  if (Object.keys(held).length) {
    const kb = (h: HeldWaits) => h.bytesPerWait / 1024;
    const bareHeld = held.bare;
    out.push({
      metric: '3 held waits: server RSS per waiting order',
      values: {
        ...perPlatform((p) => {
          const h = held[p];
          if (!h) return '-';
          const overBare = bareHeld ? `, bare + ${(kb(h) - kb(bareHeld)).toFixed(1)} KB` : '';
          const met = kb(h) <= HELD_WAIT_KB_TARGET[p];
          return `${kb(h).toFixed(1)} KB (${h.held}/${h.waits} held${overBare}) ${verdict(met)}`;
        }),
        other: bareHeld ? `${kb(bareHeld).toFixed(1)} KB (bare)` : '-',
      },
      target: 'express ≤ 15 KB, fastify ≤ 12 KB',
    });
    out.push({
      metric: '3 held waits: /finish/ → customer 200, p99',
      values: {
        ...perPlatform((p) => {
          const h = held[p];
          if (!h) return '-';
          const p99 = h.finishToAnswerP99Ms;
          return `${msText(p99)} (p50 ${msText(h.finishToAnswerP50Ms)}) ${verdict(p99 !== null && p99 <= 10)}`;
        }),
        other: bareHeld ? `${msText(bareHeld.finishToAnswerP99Ms)} (bare)` : '-',
      },
      target: '≤ 10 ms',
    });
  }
  const durable = results.durable;
  if (Object.keys(durable).length) {
    out.push({
      metric: '4 durable order cycles (sqlite): orders/s, CPU',
      values: perPlatform((p) => {
        const d = durable[p];
        if (!d) return '-';
        if (!d.available) return `not available: ${d.reason.split('\n')[0]}`;
        const memory = cost[p]?.cyclesPerSecond;
        return (
          `${d.cyclesPerSecond.toFixed(0)}` +
          (memory ? ` (${times(d.cyclesPerSecond / memory)} of memory)` : '') +
          `, ${us(d.cpuUsPerCycle)} CPU/cycle`
        );
      }),
      target: '',
    });
  }
  const fresh = results.newConnections;
  const freshBare = fresh.bare;
  if (Object.keys(fresh).length) {
    const rounds = (c: NewConnectionCycles) =>
      c.cpuUsPerCycle.map((value) => value.toFixed(0)).join('/');
    out.push({
      metric: '6 new connections: server CPU per cycle, median (rounds)',
      values: {
        ...perPlatform((p) => {
          const c = fresh[p];
          if (!c) return '-';
          const text = `${us(c.medianCpuUsPerCycle)} (${rounds(c)})`;
          if (!freshBare) return text;
          const r = c.medianCpuUsPerCycle / freshBare.medianCpuUsPerCycle;
          return `${text} ${times(r)} ${verdict(r <= CPU_TARGET[p])}`;
        }),
        other: freshBare
          ? `${us(freshBare.medianCpuUsPerCycle)} (${rounds(freshBare)}, bare)`
          : '-',
      },
      target: CPU_TARGET_TEXT,
    });
    const floors = platforms.filter((p) => fresh[floorOf(p)]);
    if (floors.length) {
      out.push({
        metric: "6 the framework's floor (minimal Nest app), CPU per cycle, median (rounds)",
        values: perPlatform((p) => {
          const c = fresh[floorOf(p)];
          if (!c) return '-';
          const text = `${us(c.medianCpuUsPerCycle)} (${rounds(c)})`;
          return freshBare
            ? `${text} ${times(c.medianCpuUsPerCycle / freshBare.medianCpuUsPerCycle)}`
            : text;
        }),
        target: '',
      });
    }
    out.push({
      metric: '6 new connections: answers; started twice, barista errors',
      values: {
        ...perPlatform((p) => {
          const c = fresh[p];
          return c
            ? `${statusText(c.statuses)}; ${c.baristas.startedTwice}, ${c.baristas.errors}`
            : '-';
        }),
        other: freshBare
          ? `${statusText(freshBare.statuses)}; ${freshBare.baristas.startedTwice}, ${freshBare.baristas.errors}`
          : '-',
      },
      target: 'all 200; 0, 0',
    });
    // A barista who finds the queue empty asks again 1 ms later: a slower server, whose orders
    // arrive later, answers more of these 404s per cycle, and each costs it CPU.
    const emptyPolls = (c: NewConnectionCycles | undefined) =>
      c ? (c.baristas.emptyPolls / (c.orders * c.cpuUsPerCycle.length)).toFixed(2) : '-';
    out.push({
      metric: "6 new connections: baristas' 404s (queue empty) per cycle",
      values: {
        ...perPlatform((p) => {
          const floor = fresh[floorOf(p)];
          return emptyPolls(fresh[p]) + (floor ? ` (floor ${emptyPolls(floor)})` : '');
        }),
        other: emptyPolls(freshBare),
      },
      target: '',
    });
  }
  const flooded = results.underFlood;
  if (Object.keys(flooded).length) {
    out.push({
      metric: "7 regulars' p99 under a flood, service / bare refuser, median (rounds)",
      values: perPlatform((p) => {
        const f = flooded[p];
        if (!f) return '-';
        const rounds = f.rounds
          .map((r) => `${r.serviceP99Ms.toFixed(0)}/${r.bareP99Ms.toFixed(0)} ms`)
          .join(', ');
        return `${times(f.medianP99Ratio)} (${rounds}) ${verdict(f.medianP99Ratio <= FLOOD_P99_TARGET)}`;
      }),
      target: `≤ x${FLOOD_P99_TARGET}`,
    });
    out.push({
      metric: '7 regulars; flood, on the service (last round)',
      values: perPlatform((p) => {
        const last = flooded[p]?.rounds.at(-1);
        return last
          ? `${statusText(last.regulars.service)}; ${statusText(last.flood.service)}`
          : '-';
      }),
      target: 'regulars all 200',
    });
  }
  const fleets = results.fleet;
  if (Object.keys(fleets).length) {
    for (const store of ['memory', 'sqlite', 'postgres'] as const) {
      out.push({
        metric: `8 one instance on ${store}: cycles/s, server CPU per cycle`,
        values: perPlatform((p) => {
          const c = fleets[p]?.stores[store];
          return c ? `${c.cyclesPerSecond.toFixed(0)}/s, ${us(c.cpuUsPerCycle)}` : '-';
        }),
        target: store === 'postgres' ? '≥ 1,000/s' : '',
      });
    }
    for (const instances of [1, 2, 3]) {
      const size = (p: HttpAdapterName) => fleets[p]?.sizes.find((s) => s.instances === instances);
      out.push({
        metric: `8 fleet of ${instances} on PostgreSQL: cycles/s in all, CPU per cycle`,
        values: perPlatform((p) => {
          const f = size(p);
          return f ? `${f.cyclesPerSecond.toFixed(0)}/s, ${us(f.cpuUsPerCycle)}` : '-';
        }),
        target: '',
      });
      out.push({
        metric: `8 fleet of ${instances}: finish → 200 across instances p50/p99 at 200/s; PG commits, WAL flushes per order; lost`,
        values: perPlatform((p) => {
          const f = size(p);
          return f
            ? `${msText(f.wakeP50Ms)} / ${msText(f.wakeP99Ms)} ${verdict(f.wakeP99Ms !== null && f.wakeP99Ms <= 50)}; ` +
                `${f.transactionsPerOrder.toFixed(1)}, ${f.walFlushesPerOrder.toFixed(2)}; ${f.lost}`
            : '-';
        }),
        target: 'p99 ≤ 50 ms; lost 0',
      });
    }
  }
  const faults = results.networkFaults;
  if (Object.keys(faults).length) {
    /** Worst and best of the rounds: the bound is what the worst must meet. */
    const span = (values: (number | null)[]) =>
      values.some((v) => v === null)
        ? 'never'
        : `${(Math.max(...(values as number[])) / 1000).toFixed(1)} s (best ${(Math.min(...(values as number[])) / 1000).toFixed(1)})`;
    const statuses = (values: number[]) => [...new Set(values)].join('/');
    const faultRows: [string, (f: NetworkFaults) => string, string][] = [
      [
        'PostgreSQL black-holed: /health 503 after',
        (f) => span(f.postgres.map((r) => r.healthDownMs)),
        '≤ 10 s',
      ],
      [
        'PostgreSQL black-holed: POST /order/ answered after',
        (f) =>
          `${span(f.postgres.map((r) => r.orderAnsweredMs))} ${statuses(f.postgres.map((r) => r.orderStatus))}`,
        '≤ 10 s, 503',
      ],
      [
        'healed (half-open left): /health 200 after',
        (f) => span(f.postgres.map((r) => r.healthUpMs)),
        '≤ 10 s',
      ],
      [
        'healed: customer finished elsewhere answered after',
        (f) => span(f.postgres.map((r) => r.releasedMs)),
        '≤ 10 s',
      ],
      [
        "log's lock held: POST /order/ answered after",
        (f) =>
          `${span(f.stuckLock.map((r) => r.answeredMs))} ${statuses(f.stuckLock.map((r) => r.status))}`,
        'bounded, 503',
      ],
      [
        'Redis black-holed: POST /order/ answered after',
        (f) =>
          `${span(f.redis.map((r) => r.orderAnsweredMs))} ${statuses(f.redis.map((r) => r.orderStatus))}`,
        'bounded, 202',
      ],
      [
        'Redis black-holed: limits per instance after',
        (f) => span(f.redis.map((r) => r.unsharedMs)),
        'bounded',
      ],
      [
        'Redis healed: limits shared again after',
        (f) => span(f.redis.map((r) => r.sharedAgainMs)),
        'bounded',
      ],
    ];
    for (const [metric, text, target] of faultRows) {
      out.push({
        metric: `11 ${metric}, worst of rounds`,
        values: perPlatform((p) => {
          const f = faults[p];
          return f ? text(f) : '-';
        }),
        target,
      });
    }
  }
  if (results.replay) {
    const r = results.replay;
    out.push({
      metric: `5 replay of ${r.events.toLocaleString('en')} events`,
      values: {
        other: `${(r.totalMs / 1000).toFixed(2)} s ${verdict(r.totalMs <= 3000 * (r.events / 1e6))}`,
      },
      target: '≤ 3 s per 1,000,000',
    });
  }
  if (results.throttler) {
    const { before, after } = results.throttler;
    const change = (from: number, to: number, unit: string) => `${from} → ${to} ${unit}`;
    out.push(
      {
        metric: '9 throttler: bytes per address, 1 order / 100 orders each',
        values: {
          other:
            change(before.bytesPerAddressOneOrder, after.bytesPerAddressOneOrder, 'B') +
            ' / ' +
            change(before.bytesPerAddress100Orders, after.bytesPerAddress100Orders, 'B'),
        },
        target: 'O(1) per address',
      },
      {
        metric: '9 throttler: CPU per order, 1,000 orders in the window',
        values: {
          other: change(
            Number(before.cpuUsPerOrderAt1000.toFixed(2)),
            Number(after.cpuUsPerOrderAt1000.toFixed(2)),
            'µs',
          ),
        },
        target: 'O(1) per order',
      },
    );
  }
  const underReaders = results.underReaders;
  const loads = Object.values(underReaders)[0] ?? [];
  for (const [i, load] of loads.entries()) {
    out.push({
      metric: `12 ${load.cycles} cycles under ${load.readers} stream readers${load.reading ? '' : ' not reading'}: s (open/503)`,
      values: perPlatform((p) => {
        const line = underReaders[p]?.[i];
        return line ? `${line.seconds.toFixed(2)} s (${line.open}/${line.refused})` : '-';
      }),
      target: 'as with none',
    });
  }
  for (const run of results.boundedState) {
    const [first, last] = run.checkpoints;
    const growth =
      first && last
        ? (last.heapUsedBytes - first.heapUsedBytes) / (last.orders - first.orders)
        : NaN;
    out.push({
      metric: `13 ${run.store}: heap after GC at ${first?.orders} / ${last?.orders} orders, growth per order; cycles/s and CPU µs per cycle, first / last tenth`,
      values: {
        other: `${mb(first?.heapUsedBytes)} / ${mb(last?.heapUsedBytes)} MB, ${(growth / 1024).toFixed(2)} KB; ${run.firstTenthCyclesPerSecond.toFixed(0)} / ${run.lastTenthCyclesPerSecond.toFixed(0)} cycles/s, ${run.firstTenthCpuMicrosPerCycle.toFixed(0)} / ${run.lastTenthCpuMicrosPerCycle.toFixed(0)} µs`,
      },
      target: '≤ 0.5 KB per order; within 10 %',
    });
  }
  return out;
}

function mb(bytes: number | undefined): string {
  return bytes === undefined ? '-' : (bytes / 1e6).toFixed(1);
}

async function main(): Promise<void> {
  const cli = command().parse(process.argv.slice(2), { from: 'user' }).opts();
  const platforms: HttpAdapterName[] = cli.platforms;
  const scenarios = new Set<number>(cli.scenarios);
  const stdout = serviceStdout(); // refuses a bad BENCH_SERVICE_STDOUT before anything starts
  const context: BenchContext = {
    scale: cli.scale,
    heldWaits: cli.heldWaits,
    env: cli.env,
    log: (line) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`),
  };
  // Found out now, not after the scenarios before it have run for minutes.
  const shortfall = scenarios.has(3)
    ? openFileShortfall(heldWaitsCount(context), openFileLimit())
    : undefined;
  if (shortfall) throw new Error(`scenario 3: ${shortfall}`);
  const results: Results = {
    cycleCost: {},
    rushHour: {},
    heldWaits: {},
    durable: {},
    newConnections: {},
    underFlood: {},
    fleet: {},
    networkFaults: {},
    underReaders: {},
    boundedState: [],
  };
  if (scenarios.has(1)) results.cycleCost = await orderCycleCost(context, ['bare', ...platforms]);
  if (scenarios.has(6)) {
    const floors = cli.floor ? platforms.map(floorOf) : [];
    results.newConnections = await newConnectionCycles(context, ['bare', ...platforms, ...floors]);
  }
  if (scenarios.has(3)) results.heldWaits.bare = await heldWaits(context, 'bare');
  for (const platform of platforms) {
    if (scenarios.has(2)) results.rushHour[platform] = await rushHour(context, platform);
    if (scenarios.has(3)) results.heldWaits[platform] = await heldWaits(context, platform);
    if (scenarios.has(4)) results.durable[platform] = await durableOrderCycles(context, platform);
    if (scenarios.has(7))
      results.underFlood[platform] = await regularsUnderFlood(context, platform);
    if (scenarios.has(8)) results.fleet[platform] = await fleet(context, platform);
    if (scenarios.has(11)) {
      results.networkFaults[platform] = await networkFaults(context, platform);
    }
    if (scenarios.has(12))
      results.underReaders[platform] = await cyclesUnderReaders(context, platform);
  }
  if (scenarios.has(5)) results.replay = await replayEvents(context);
  if (scenarios.has(9)) results.throttler = await throttlerStorage(context);
  if (scenarios.has(13)) {
    // 10,000 and 100,000 orders at scale 1: the second checkpoint is well past the windows.
    const orders = scaled(context, 100_000);
    for (const store of ['memory', 'sqlite']) {
      context.log(`13 bounded state on ${store}: ${orders} orders`);
      results.boundedState.push(
        await boundedState(orders, store, [Math.ceil(orders / 10), orders], context.log),
      );
    }
  }

  const table = rows(results, platforms);
  const columns = [...platforms, 'other'];
  console.log(toText(table, columns));
  const cpu = cpus();
  const machine = {
    cpu: `${cpu.length} × ${cpu[0]?.model ?? 'unknown'}`,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
  };
  const run = {
    date: new Date().toISOString(),
    command: `make bench ARGS="${process.argv.slice(2).join(' ')}"`,
    scale: context.scale,
    env: context.env,
    serviceStdout: stdout,
    machine,
  };
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(
    join(RESULTS_DIR, 'latest.json'),
    JSON.stringify({ ...run, results, table }, null, 2),
  );
  writeFileSync(
    join(RESULTS_DIR, 'latest.md'),
    `${run.date}, scale ${run.scale}, service stdout ${stdout}, ${machine.cpu}, ${machine.memoryGb} GB, Linux ${machine.kernel}, Node ${machine.node}\n\n` +
      toMarkdown(table, columns),
  );
  console.error(`written to ${RESULTS_DIR}/latest.json and latest.md`);
}

main().catch((error) => {
  console.error(`bench: ${(error as Error).stack ?? String(error)}`);
  process.exit(1);
});
