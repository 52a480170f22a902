import { setTimeout as sleep } from 'node:timers/promises';
import { type BaristaTally, baristas, customers, type Served } from './crowd';
import { type FloodOptions, type FloodOutcome, FloodProcess } from './flood-process';

/** When the flood starts, after the first regular: most regulars order after it began. */
const FLOOD_AFTER_MS = 100;
const REGULARS_OVER_MS = 1000;

export interface RushHourOptions {
  /** One regular per address, arriving evenly over one second. */
  regulars: readonly string[];
  /** Baristas' wait after finding the queue empty. */
  idleMs: number;
  /** A flood, from a process of its own (`script` calls runFloodProcess). */
  flood?: Omit<FloodOptions, 'orderUrl'> & {
    script: string;
    /** How long its answers may take once the regulars have theirs, before it is stopped. */
    graceMs: number;
  };
}

async function startFlood(
  orderUrl: URL,
  { script, graceMs, ...options }: NonNullable<RushHourOptions['flood']>,
): Promise<{ process: FloodProcess; graceMs: number }> {
  return {
    process: await FloodProcess.start(script, { ...options, orderUrl: orderUrl.href }),
    graceMs,
  };
}

export interface RushHourOutcome {
  regulars: Served[];
  flood: FloodOutcome;
  baristas: BaristaTally;
}

/**
 * The rush hour of the issues: regulars on their own addresses ordering over one second, 10
 * baristas brewing 30-60 ms and, if asked, one client sending `flood.count` orders at once,
 * 100 ms in. The baristas work until the flood is over too: a flood order they started before
 * its cut-off is answered once finished.
 */
export async function rushHour(
  urls: { order: URL; barista: URL },
  { regulars, idleMs, flood }: RushHourOptions,
): Promise<RushHourOutcome> {
  const flooding = flood && (await startFlood(urls.order, flood));
  const staff = baristas(urls.barista, 10, { brewMs: { min: 30, max: 60 }, idleMs });
  const arriving = customers(urls.order, regulars, REGULARS_OVER_MS);
  await sleep(FLOOD_AFTER_MS);
  flooding?.process.go();
  const served = await arriving;
  const flooded = flooding
    ? await flooding.process.end(flooding.graceMs)
    : { answers: [], unanswered: 0 };
  return { regulars: served, flood: flooded, baristas: await staff.stop() };
}
