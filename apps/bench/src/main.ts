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
import { LOG_LEVELS, type LogLevelName } from '../../cafe/src/config';
import {
  AS_CONFIGURED,
  type BenchContext,
  contender,
  type CycleCost,
  CYCLE_ROUNDS,
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
  type Variant,
  variantName,
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
import { isBuild, serviceStdout } from './servers';
import { type Row, toMarkdown, toText } from './table';

const RESULTS_DIR = join(__dirname, '..', '..', '..', '..', 'bench', 'results');
const SCENARIOS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13] as const;

interface Results {
  /** Keyed by contender: a target's name, then its variant's (`fastify before warn`). */
  cycleCost: Record<string, CycleCost>;
  rushHour: Partial<Record<HttpAdapterName, RushHour>>;
  heldWaits: Partial<Record<Target, HeldWaits>>;
  durable: Partial<Record<HttpAdapterName, DurableOrderCycles>>;
  replay?: Replay;
  throttler?: ThrottlerStorageFigures;
  newConnections: Record<string, NewConnectionCycles>;
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

function build(dist: string): string {
  if (!isBuild(dist)) {
    throw new InvalidArgumentError(
      'expected a copy of a dist directory (apps/cafe/src/main.js in it)',
    );
  }
  return dist;
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
      "scenarios 1 and 6 also on a minimal Nest app per platform (the framework's floor)",
      false,
    )
    .option('--rounds <n>', 'alternated rounds of scenarios 1 and 6', wholeNumber(1), CYCLE_ROUNDS)
    .option(
      '--levels <list>',
      'scenarios 1 and 6 also run each platform at these LOG_LEVELs (e.g. warn), alternated in the same run',
      list(LOG_LEVELS),
      [],
    )
    .option(
      '--before <dist>',
      'scenarios 1 and 6 also run each platform (at each level) from this copy of an earlier dist directory, alternated in the same run',
      build,
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

/** Issue 20's targets, on the lowest alternated rounds of scenarios 1 and 6. */
const INFO_OVER_WARN_TARGET = 0.1;
const FASTIFY_OVER_BARE_TARGET: Partial<Record<LogLevelName, number>> = { info: 2.0, warn: 1.8 };
const EXPRESS_OVER_FLOOR_TARGET = 1.3;

const percent = (ratio: number) => `${ratio >= 1 ? '+' : ''}${((ratio - 1) * 100).toFixed(0)} %`;

/** What scenarios 1 and 6 alternated: the variants of each platform, and at which level `--env` runs them. */
interface Alternated {
  variants: readonly Variant[];
  configuredLevel: LogLevelName;
}

/**
 * Scenario 1's or 6's lowest rounds, contender against contender of the same run: against the
 * bare server and the floor, `info` against `warn`, an earlier build against this one.
 */
function lowestRoundRows(
  label: string,
  roundsOf: Record<string, number[]>,
  platforms: readonly HttpAdapterName[],
  { variants, configuredLevel }: Alternated,
): Row[] {
  const lowest = (name: string) =>
    roundsOf[name] === undefined ? undefined : Math.min(...roundsOf[name]);
  const nameOf = (p: HttpAdapterName, v: Variant) => [p, variantName(v)].filter(Boolean).join(' ');
  const perPlatform = (fill: (platform: HttpAdapterName) => string) =>
    Object.fromEntries(platforms.map((p) => [p, fill(p)]));
  const bare = lowest('bare');
  const rounds = roundsOf.bare?.length ?? 0;
  const out: Row[] = [];
  for (const variant of variants) {
    const level = variant.level ?? configuredLevel;
    const judged = variant.before === undefined;
    const fastifyTarget = judged ? FASTIFY_OVER_BARE_TARGET[level] : undefined;
    const expressTarget = judged && level === 'info' ? EXPRESS_OVER_FLOOR_TARGET : undefined;
    out.push({
      metric: `${label}: server CPU per cycle, lowest of ${rounds} alternated rounds, ${variantName(variant) || 'as configured'} (${level})`,
      values: {
        ...perPlatform((p) => {
          const value = lowest(nameOf(p, variant));
          if (value === undefined) return '-';
          const floor = lowest(floorOf(p));
          const overBare = bare ? value / bare : NaN;
          const overFloor = floor ? value / floor : NaN;
          let text = `${us(value)} ${times(overBare)} of bare`;
          if (floor) text += `, ${times(overFloor)} of floor`;
          if (p === 'fastify' && fastifyTarget) text += ` ${verdict(overBare <= fastifyTarget)}`;
          if (p === 'express' && expressTarget && floor)
            text += ` ${verdict(overFloor <= expressTarget)}`;
          return text;
        }),
        other: bare ? `${us(bare)} (bare)` : '-',
      },
      target: [
        fastifyTarget ? `fastify ≤ x${fastifyTarget.toFixed(1)} of bare` : '',
        expressTarget ? `express ≤ x${expressTarget} of floor` : '',
      ]
        .filter(Boolean)
        .join(', '),
    });
  }
  if (platforms.some((p) => roundsOf[floorOf(p)])) {
    out.push({
      metric: `${label}: the floor (minimal Nest app), lowest of ${rounds} rounds`,
      values: perPlatform((p) => {
        const floor = lowest(floorOf(p));
        return floor === undefined
          ? '-'
          : `${us(floor)} ${times(bare ? floor / bare : NaN)} of bare`;
      }),
      target: '',
    });
  }
  const levelOf = (v: Variant) => v.level ?? configuredLevel;
  for (const before of new Set(variants.map((v) => v.before))) {
    const info = variants.find((v) => v.before === before && levelOf(v) === 'info');
    const warn = variants.find((v) => v.before === before && levelOf(v) === 'warn');
    if (!info || !warn) continue;
    out.push({
      metric: `${label}: info over warn, lowest rounds${before === undefined ? '' : ', before'}`,
      values: perPlatform((p) => {
        const [i, w] = [lowest(nameOf(p, info)), lowest(nameOf(p, warn))];
        if (i === undefined || w === undefined) return '-';
        const ratio = i / w;
        return before === undefined
          ? `${percent(ratio)} ${verdict(ratio - 1 <= INFO_OVER_WARN_TARGET)}`
          : percent(ratio);
      }),
      target: before === undefined ? `≤ +${INFO_OVER_WARN_TARGET * 100} %` : '',
    });
  }
  for (const after of variants.filter((v) => v.before === undefined)) {
    const earlier = variants.find((v) => v.before !== undefined && v.level === after.level);
    if (!earlier) continue;
    out.push({
      metric: `${label}: before → this build, lowest rounds, ${variantName(after) || 'as configured'}`,
      values: perPlatform((p) => {
        const [b, a] = [lowest(nameOf(p, earlier)), lowest(nameOf(p, after))];
        return b === undefined || a === undefined ? '-' : `${us(b)} → ${us(a)} (${percent(a / b)})`;
      }),
      target: '',
    });
  }
  return out;
}

function rows(
  results: Results,
  platforms: readonly HttpAdapterName[],
  alternated: Alternated,
): Row[] {
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
    out.push(
      ...lowestRoundRows(
        '1 cycle cost',
        Object.fromEntries(Object.entries(cost).map(([name, c]) => [name, c.cpuUsPerCycleRounds])),
        platforms,
        alternated,
      ),
    );
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
    out.push(
      ...lowestRoundRows(
        '6 new connections',
        Object.fromEntries(Object.entries(fresh).map(([name, c]) => [name, c.cpuUsPerCycle])),
        platforms,
        alternated,
      ),
    );
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
    rounds: cli.rounds,
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
  const levels: LogLevelName[] = cli.levels;
  const thisBuild: Variant[] = [AS_CONFIGURED, ...levels.map((level) => ({ level }))];
  const alternated: Alternated = {
    variants:
      cli.before === undefined
        ? thisBuild
        : [...thisBuild, ...thisBuild.map((variant) => ({ ...variant, before: cli.before }))],
    configuredLevel: LOG_LEVELS.find((level) => level === context.env.LOG_LEVEL) ?? 'info',
  };
  // Scenarios 1 and 6 alternate all of these round by round, started side by side.
  const contenders = [
    contender(context, 'bare'),
    ...platforms.flatMap((p) => alternated.variants.map((v) => contender(context, p, v))),
    ...(cli.floor ? platforms.map((p) => contender(context, floorOf(p))) : []),
  ];
  if (scenarios.has(1)) results.cycleCost = await orderCycleCost(context, contenders);
  if (scenarios.has(6)) results.newConnections = await newConnectionCycles(context, contenders);
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

  const table = rows(results, platforms, alternated);
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
