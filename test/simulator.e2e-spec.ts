import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { SimulationReport } from '@cafe/simulation';
import { HTTP_ADAPTERS, TestCafe } from './support/cafe-harness';

const SIMULATOR = join(__dirname, '..', 'dist', 'apps', 'simulator', 'src', 'main.js');
const run = promisify(execFile);
/** The run stops itself after 30 s (--deadline) and is killed after 40 s; the test waits for either. */
const RUN_KILLED_AFTER_MS = 40_000;

/** A smoke run of the built CLI, so that the simulator cannot rot: not a benchmark, no timings asserted. */
describe.each(HTTP_ADAPTERS)('the simulator against the café on %s', (adapter) => {
  let cafe: TestCafe;

  beforeEach(async () => {
    cafe = await TestCafe.start(adapter);
  });

  afterEach(() => cafe.close());

  it(
    'serves every regular once, starts no order twice, and reports as JSON',
    async () => {
      const { stdout } = await run(
        process.execPath,
        [
          SIMULATOR,
          `--customer-url=http://127.0.0.1:${cafe.cafe.customerPort}`,
          `--barista-url=http://127.0.0.1:${cafe.cafe.baristaPort}`,
          '--customers=30',
          '--group-sizes=1,2-5,10',
          '--group-gap=0-20',
          '--baristas=4',
          '--brew=30-60',
          '--time-scale=0.0002',
          '--flood=10',
          '--seed=7',
          '--deadline=30',
          '--json',
        ],
        { timeout: RUN_KILLED_AFTER_MS },
      );
      const report = JSON.parse(stdout) as SimulationReport;

      expect(report.regulars).toEqual({
        ordered: 30,
        served: 30,
        throttled: 0,
        cancelled: 0,
        errors: 0,
        unanswered: 0,
      });
      const flood = report.flood;
      expect(flood.ordered).toBe(10);
      expect(flood.errors).toBe(0);
      expect(flood.served + flood.throttled + flood.cancelled + flood.unanswered).toBe(10);
      expect(report.regularWaitMs.count).toBe(30);
      expect(report.finishToAnswerMs.count).toBe(30 + flood.served);
      expect(report.startedTwice).toBe(0);
      expect(report.baristaErrors).toBe(0);
      expect(await cafe.queued()).toBeLessThanOrEqual(10);
    },
    RUN_KILLED_AFTER_MS + 5_000,
  );
});
