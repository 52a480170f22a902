import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { exchange, freePorts } from '@cafe/simulation';

const DIST = join(__dirname, '..', '..', '..');
export const CAFE_MAIN = join(DIST, 'apps', 'cafe', 'src', 'main.js');
export const BARE_SERVER = join(DIST, 'apps', 'bench', 'src', 'bare-server.js');
export const SIMULATOR = join(DIST, 'apps', 'simulator', 'src', 'main.js');

const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;

/**
 * Where a started server's stdout (its log lines) goes, from BENCH_SERVICE_STDOUT: `null`
 * (the default: writing is part of the cost, reading is not ours), `file` (a temporary file,
 * removed on stop) or `pipe` (read and discarded by the bench, as a log shipper would).
 */
export const SERVICE_STDOUTS = ['null', 'file', 'pipe'] as const;
export type ServiceStdout = (typeof SERVICE_STDOUTS)[number];

export function serviceStdout(): ServiceStdout {
  const value = process.env.BENCH_SERVICE_STDOUT ?? 'null';
  const known = SERVICE_STDOUTS.find((where) => where === value);
  if (!known) {
    throw new Error(`BENCH_SERVICE_STDOUT must be one of ${SERVICE_STDOUTS.join(', ')}`);
  }
  return known;
}

function stdoutFor(
  where: ServiceStdout,
  port: number,
): { stdio: 'ignore' | 'pipe' | number; file?: string } {
  if (where === 'null') return { stdio: 'ignore' };
  if (where === 'pipe') return { stdio: 'pipe' };
  const file = join(tmpdir(), `cafe-bench-stdout-${process.pid}-${port}.log`);
  return { stdio: openSync(file, 'w'), file };
}

/** The service refused to start, e.g. because it does not accept a setting. */
export class ServerRefused extends Error {}

async function queueAnswers(port: number): Promise<unknown> {
  const { status, body } = await exchange({
    host: '127.0.0.1',
    port,
    path: '/queue',
    agent: false,
  });
  if (status !== 200) throw new Error(`/queue answered ${status}`);
  return body;
}

/**
 * A server under test in its own process (the café or the bare server), on free loopback
 * ports, so its CPU and memory can be read from /proc without the load generator's.
 */
export class ServerProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly customerUrl: string,
    readonly baristaUrl: string,
    private readonly baristaPort: number,
    private readonly stdoutFile?: string,
  ) {}

  get pid(): number {
    return this.child.pid as number;
  }

  /** Starts `script` and waits until its barista port answers; ServerRefused if it exits first. */
  static async start(script: string, env: Record<string, string>): Promise<ServerProcess> {
    const [customerPort, baristaPort] = await freePorts(2);
    const stdout = stdoutFor(serviceStdout(), customerPort);
    const child = spawn(process.execPath, [script], {
      env: {
        ...process.env,
        ...env,
        HOST: '127.0.0.1',
        CUSTOMER_PORT: String(customerPort),
        BARISTA_PORT: String(baristaPort),
      },
      stdio: ['ignore', stdout.stdio, 'pipe'],
    });
    if (typeof stdout.stdio === 'number') closeSync(stdout.stdio);
    child.stdout?.resume();
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk).slice(-4000)));
    const exited = once(child, 'exit');
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new ServerRefused(stderr.trim() || `exited with ${child.exitCode}`);
      }
      try {
        await queueAnswers(baristaPort);
        break;
      } catch {
        if (Date.now() > deadline) {
          child.kill('SIGKILL');
          throw new Error(`${script} did not answer within ${READY_TIMEOUT_MS} ms: ${stderr}`);
        }
        await Promise.race([sleep(50), exited]);
      }
    }
    return new ServerProcess(
      child,
      `http://127.0.0.1:${customerPort}/`,
      `http://127.0.0.1:${baristaPort}/`,
      baristaPort,
      stdout.file,
    );
  }

  /** The barista side's `/queue` view. */
  async queue(): Promise<{ queued: number; brewing: number }> {
    return (await queueAnswers(this.baristaPort)) as { queued: number; brewing: number };
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
    if (this.stdoutFile) rmSync(this.stdoutFile, { force: true });
  }
}
