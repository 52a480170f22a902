/**
 * The flooding client in a process of its own, as an attacker on another machine would be: its
 * thousands of sockets cost the event loop that times the regulars (the bench's) or runs the
 * service (a test's) nothing. Both sides of it live here: `runFloodProcess` in the child (the
 * bench's flood-process.js), `FloodProcess` in whoever starts it.
 *
 * The child prints `ready`, sends its orders at once, each on a new connection, when a line
 * arrives on stdin, and prints every answer as JSON once all have come, or on SIGTERM.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { customer, type Served } from './crowd';
import { noOutcomes, type Outcomes, outcomeOf, throttledPerSecond } from './report';

export interface FloodOptions {
  orderUrl: string;
  count: number;
  /**
   * Where its sockets bind; unbound by default (127.0.0.1): binding thousands of sockets to one
   * address makes Linux scan for a port at each bind(), and the flood trickles in over seconds.
   */
  localAddress?: string;
  /** Each request claims another address in X-Forwarded-For, as a forging client would. */
  forgeForwardedFor?: boolean;
}

export interface FloodOutcome {
  answers: Served[];
  /** Orders still without an answer when the flood was stopped. */
  unanswered: number;
}

const READY = 'ready\n';

/** A flood's answers as the simulator reports a flood's: how its orders ended, 429s per second. */
export function floodReport({ answers, unanswered }: FloodOutcome): {
  flood: Outcomes;
  throttledPerSecond: number | null;
} {
  const flood = { ...noOutcomes(), ordered: answers.length + unanswered, unanswered };
  const throttledAt: number[] = [];
  for (const answer of answers) {
    const counted = outcomeOf(answer);
    flood[counted]++;
    // Every order was sent at once: an answer's wait is when it arrived.
    if (counted === 'throttled') throttledAt.push(answer.waitMs);
  }
  const spanMs = flood.throttled ? Math.max(...throttledAt) - Math.min(...throttledAt) : 0;
  return { flood, throttledPerSecond: throttledPerSecond(flood.throttled, spanMs) };
}

/** The `i`-th forged request's claimed address: a new one each time. */
const forgedAddress = (i: number) => `10.9.${i >> 8}.${i & 255}`;

/** The child's side: `options` as JSON in its first argument. */
export function runFloodProcess(optionsJson: string): void {
  const { orderUrl, count, localAddress, forgeForwardedFor }: FloodOptions =
    JSON.parse(optionsJson);
  const answers: Served[] = [];
  let reported = false;
  const report = () => {
    if (reported) return;
    reported = true;
    process.stdout.write(JSON.stringify(answers), () => process.exit(0));
  };
  process.once('SIGTERM', report);
  process.stdin.once('data', () => {
    const url = new URL(orderUrl);
    for (let i = 0; i < count; i++) {
      const headers = forgeForwardedFor ? { 'x-forwarded-for': forgedAddress(i) } : undefined;
      void customer(url, { localAddress, headers }).then((answer) => {
        if (answers.push(answer) === count) report();
      });
    }
  });
  process.stdout.write(READY);
}

/** The starter's side: a flood process, ready to send on `go()`. */
export class FloodProcess {
  private stdout = '';
  /** Once it has exited and its stdout is read to the end. */
  private readonly closed: Promise<unknown>;

  private constructor(
    private readonly child: ChildProcess,
    private readonly count: number,
  ) {
    this.closed = once(child, 'close');
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => (this.stdout += chunk));
  }

  /** Starts `script` (a module that calls runFloodProcess) and resolves once it is ready. */
  static async start(script: string, options: FloodOptions): Promise<FloodProcess> {
    const child = spawn(process.execPath, [script, JSON.stringify(options)], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const flood = new FloodProcess(child, options.count);
    while (!flood.stdout.startsWith(READY)) {
      if (flood.hasExited()) throw new Error(`${script} exited before it was ready`);
      await Promise.race([sleep(5), flood.closed]);
    }
    return flood;
  }

  go(): void {
    this.child.stdin?.write('go\n');
  }

  /** Waits up to `graceMs` for every answer, then stops it; what was answered by then. */
  async end(graceMs: number): Promise<FloodOutcome> {
    const timer = setTimeout(() => this.child.kill('SIGTERM'), graceMs);
    await this.closed;
    clearTimeout(timer);
    const answers = JSON.parse(this.stdout.slice(READY.length)) as Served[];
    return { answers, unanswered: this.count - answers.length };
  }

  /** Whether it has exited: once every order has its answer, or stopped. */
  hasExited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }
}
