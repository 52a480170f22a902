import { MultiBar, Presets } from 'cli-progress';
import {
  formatReport,
  openFileLimit,
  openFileShortfall,
  type Progress,
  Simulation,
} from '@cafe/simulation';
import { type ProgressMode, readCliOptions } from './cli';

const PLAIN_LINE_INTERVAL_MS = 1000;
const BAR_INTERVAL_MS = 100;

function progressLine(p: Progress): string {
  return (
    `${(p.elapsedMs / 1000).toFixed(1)}s answered ${p.answered}/${p.total}: queued ${p.queued}, ` +
    `brewing ${p.brewing}, ready ${p.ready}, throttled ${p.throttled}, cancelled ${p.cancelled}, errors ${p.errors}`
  );
}

/**
 * Shows the run live on stderr (stdout stays clean for the report): a bar on a terminal, a
 * plain line a second otherwise. Returns the function that stops it.
 */
function showProgress(simulation: Simulation, mode: ProgressMode): () => void {
  if (mode === 'off') return () => undefined;
  const tty = mode === 'on' ? true : Boolean(process.stderr.isTTY);
  if (!tty) {
    const timer = setInterval(
      () => console.error(progressLine(simulation.progress())),
      PLAIN_LINE_INTERVAL_MS,
    );
    return () => clearInterval(timer);
  }
  const bars = new MultiBar(
    {
      format:
        '{bar} {value}/{total} answered | queued {queued} | brewing {brewing} | ready {ready} | throttled {throttled} | {seconds}s',
      hideCursor: true,
      forceRedraw: true,
      noTTYOutput: mode === 'on',
    },
    Presets.shades_classic,
  );
  const first = simulation.progress();
  const bar = bars.create(first.total, 0, payload(first));
  const timer = setInterval(() => {
    const p = simulation.progress();
    bar.update(p.answered, payload(p));
  }, BAR_INTERVAL_MS);
  return () => {
    clearInterval(timer);
    const p = simulation.progress();
    bar.update(p.answered, payload(p));
    bars.stop();
  };
}

function payload(p: Progress) {
  return { ...p, seconds: (p.elapsedMs / 1000).toFixed(1) };
}

async function main(): Promise<void> {
  const { simulation: options, json, progress } = readCliOptions(process.argv.slice(2));
  // Every customer may be waiting at once; past the limit, connections fail and count as errors.
  const shortfall = openFileShortfall(
    options.customers + options.flood + options.baristas,
    openFileLimit(),
  );
  if (shortfall) console.error(`simulate: warning: ${shortfall}`);
  const simulation = new Simulation(options);
  // Ctrl-C (or a benchmark's SIGTERM) ends the run early and still prints the report.
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => simulation.stop());
  const stopProgress = showProgress(simulation, json && progress === 'auto' ? 'off' : progress);
  const report = await simulation.run().finally(stopProgress);
  console.log(json ? JSON.stringify(report, null, 2) : formatReport(report));
  // An order handed out twice, or a regular who got no americano and no refusal, is a broken
  // café, not a slow one: scripts should see it.
  if (report.startedTwice > 0 || report.regulars.errors > 0) process.exitCode = 1;
}

main().then(
  // Once the report is out, do not wait for thousands of destroyed sockets to finish closing
  // (seconds after a Ctrl-C at 20,000 customers). stdout is synchronous for files, pipes and
  // terminals on Linux, so nothing written is lost.
  () => process.exit(),
  (error) => {
    console.error(`simulate: ${(error as Error).message ?? String(error)}`);
    process.exit(1);
  },
);
