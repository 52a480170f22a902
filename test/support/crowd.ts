import { join } from 'node:path';
import {
  type BaristaOptions,
  FLOOD_ADDRESS,
  rushHour,
  type RushHourOutcome,
  sourceAddress,
} from '@cafe/simulation';

/** The bench's flood process: `make test` builds it with everything else. */
const FLOOD_PROCESS = join(
  __dirname,
  '..',
  '..',
  'dist',
  'apps',
  'bench',
  'src',
  'flood-process.js',
);

/** Baristas at the tests' pace: drinks of 30-60 ms, asking again 10 ms after an empty queue. */
export const TEST_BARISTAS: BaristaOptions = { brewMs: { min: 30, max: 60 }, idleMs: 10 };

export const orderUrl = (customerPort: number) =>
  new URL(`http://127.0.0.1:${customerPort}/order/`);
export const baristaUrl = (baristaPort: number) => new URL(`http://127.0.0.1:${baristaPort}/`);

/**
 * The story of the issue (see rushHour): 200 regulars from sourceAddress(0) on, over one second,
 * and optionally FLOOD_ADDRESS sending `flood.count` orders at once, 100 ms in. With `forge`,
 * every flood request claims another address in X-Forwarded-For. The flood is waited for to
 * its last answer (up to 30 s).
 */
export function rushHourAt(
  ports: { customer: number; barista: number },
  flood?: { count: number; forge?: boolean },
): Promise<RushHourOutcome> {
  return rushHour(
    { order: orderUrl(ports.customer), barista: baristaUrl(ports.barista) },
    {
      regulars: Array.from({ length: 200 }, (_, i) => sourceAddress(i)),
      idleMs: TEST_BARISTAS.idleMs,
      flood: flood && {
        script: FLOOD_PROCESS,
        count: flood.count,
        localAddress: FLOOD_ADDRESS,
        forgeForwardedFor: flood.forge,
        graceMs: 30_000,
      },
    },
  );
}
