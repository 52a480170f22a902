import { type Distribution, distributionOf } from './stats';

/** How each kind of customer's orders ended. */
export interface Outcomes {
  ordered: number;
  /** 200: the americano arrived. */
  served: number;
  /** 429: refused as a flood. */
  throttled: number;
  /** Refused because the order was cancelled (e.g. cut off as a flood). */
  cancelled: number;
  /** Any other status, or a failed connection. */
  errors: number;
  /** Still open when the simulation ended (flood requests are dropped once every regular has an answer). */
  unanswered: number;
}

export function noOutcomes(): Outcomes {
  return { ordered: 0, served: 0, throttled: 0, cancelled: 0, errors: 0, unanswered: 0 };
}

/** Which of the Outcomes an answer to an order counts in (status 0: the connection failed). */
export function outcomeOf({ status, body }: { status: number; body: unknown }) {
  if (status === 200) return 'served';
  if (status === 429) return 'throttled';
  return /cancel/i.test(JSON.stringify(body ?? '')) ? 'cancelled' : 'errors';
}

/** What a run measured, before it is summarised. Times in milliseconds. */
export interface RawResults {
  regulars: Outcomes;
  flood: Outcomes;
  /** From sending each served regular's order to its 200. */
  regularWaitsMs: number[];
  /** From a barista sending `/finish/` to the customer's 200, for every served order. */
  finishToAnswerMs: number[];
  /** From the start of the run to the last 200. */
  makespanMs: number;
  /** Orders × mean brewing time ÷ baristas: the makespan of a perfectly busy bar. */
  idealMakespanMs: number;
  /** 429s answered, and the span between the first and the last of them. */
  throttledSpanMs: number;
  /** An order id that `/start/` handed out more than once: must never happen. */
  startedTwice: number;
  baristaErrors: number;
  /** CPU time (user + system) of the process that ran the simulation, over the run. */
  cpuMs: number;
}

export interface SimulationReport {
  regulars: Outcomes;
  flood: Outcomes;
  regularWaitMs: Distribution;
  finishToAnswerMs: Distribution;
  makespanMs: number;
  idealMakespanMs: number;
  /** makespan ÷ ideal; null when the ideal is 0 (brewing takes no time). */
  makespanRatio: number | null;
  /** Orders served per second over the makespan. */
  servedPerSecond: number;
  throttledPerSecond: number | null;
  startedTwice: number;
  baristaErrors: number;
  /** The simulating process's own CPU per order sent: what the load tool costs, not the service. */
  simulatorCpuUsPerOrder: number;
}

/** 429s answered per second, over the span from the first to the last; null without any. */
export function throttledPerSecond(throttled: number, spanMs: number): number | null {
  return throttled > 0 ? (throttled * 1000) / Math.max(spanMs, 1) : null;
}

export function summarise(raw: RawResults): SimulationReport {
  const served = raw.regulars.served + raw.flood.served;
  const throttled = raw.regulars.throttled + raw.flood.throttled;
  const ordered = raw.regulars.ordered + raw.flood.ordered;
  return {
    regulars: raw.regulars,
    flood: raw.flood,
    regularWaitMs: distributionOf(raw.regularWaitsMs),
    finishToAnswerMs: distributionOf(raw.finishToAnswerMs),
    makespanMs: raw.makespanMs,
    idealMakespanMs: raw.idealMakespanMs,
    makespanRatio: raw.idealMakespanMs > 0 ? raw.makespanMs / raw.idealMakespanMs : null,
    servedPerSecond: raw.makespanMs > 0 ? (served * 1000) / raw.makespanMs : 0,
    throttledPerSecond: throttledPerSecond(throttled, raw.throttledSpanMs),
    startedTwice: raw.startedTwice,
    baristaErrors: raw.baristaErrors,
    simulatorCpuUsPerOrder: ordered > 0 ? (raw.cpuMs * 1000) / ordered : 0,
  };
}

const ms = (value: number | null) => (value === null ? '-' : `${value.toFixed(1)} ms`);

function outcomeLine(name: string, o: Outcomes): string {
  return (
    `${name.padEnd(9)} ordered ${o.ordered}, served ${o.served}, throttled ${o.throttled}, ` +
    `cancelled ${o.cancelled}, errors ${o.errors}, unanswered ${o.unanswered}`
  );
}

/** The final report as a person reads it. */
export function formatReport(report: SimulationReport): string {
  const wait = report.regularWaitMs;
  const finish = report.finishToAnswerMs;
  const lines = [outcomeLine('regulars', report.regulars)];
  if (report.flood.ordered > 0) lines.push(outcomeLine('flood', report.flood));
  lines.push(
    `wait of served regulars: p50 ${ms(wait.p50)}, p95 ${ms(wait.p95)}, p99 ${ms(wait.p99)}, max ${ms(wait.max)}`,
    `finish -> customer 200:  p50 ${ms(finish.p50)}, p99 ${ms(finish.p99)}, max ${ms(finish.max)}`,
    `makespan ${ms(report.makespanMs)} against ideal ${ms(report.idealMakespanMs)}` +
      (report.makespanRatio === null ? '' : ` (x${report.makespanRatio.toFixed(2)})`) +
      `, ${report.servedPerSecond.toFixed(1)} served/s`,
  );
  if (report.throttledPerSecond !== null) {
    lines.push(`429 answered per second: ${report.throttledPerSecond.toFixed(0)}`);
  }
  lines.push(
    `orders started twice: ${report.startedTwice}` +
      (report.baristaErrors ? `, barista errors: ${report.baristaErrors}` : ''),
    `simulator CPU per order: ${report.simulatorCpuUsPerOrder.toFixed(0)} µs`,
  );
  return lines.join('\n');
}
