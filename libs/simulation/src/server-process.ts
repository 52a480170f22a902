import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { exchange, freePorts } from './http-client';

const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;
const START_ATTEMPTS = 3;
/** How much of its stderr a server that keeps no log leaves for the error that reports its failure. */
const STDERR_TAIL = 4000;

/**
 * Where a started server's stdout (its log lines) goes: `keep` (in memory, for `said`: tests),
 * `null` (writing is part of the cost, reading is not ours), `file` (a temporary file, removed
 * on stop) or `pipe` (read and discarded, as a log shipper would).
 */
export const SERVER_STDOUTS = ['keep', 'null', 'file', 'pipe'] as const;
export type ServerStdout = (typeof SERVER_STDOUTS)[number];

function stdoutFor(
  where: ServerStdout,
  port: number,
): { stdio: 'ignore' | 'pipe' | number; file?: string } {
  if (where === 'null') return { stdio: 'ignore' };
  if (where !== 'file') return { stdio: 'pipe' };
  const file = join(tmpdir(), `cafe-server-stdout-${process.pid}-${port}.log`);
  return { stdio: openSync(file, 'w'), file };
}

/** The server exited before it answered, e.g. because it does not accept a setting. */
export class ServerRefused extends Error {}

async function queueOn(port: number): Promise<{ queued: number; brewing: number }> {
  const { status, body } = await exchange({
    host: '127.0.0.1',
    port,
    path: '/queue',
    agent: false,
  });
  if (status !== 200) throw new Error(`/queue answered ${status}`);
  return body as { queued: number; brewing: number };
}

/** How a subclass is made: `ServerProcess.start` builds whichever class it is called on. */
type ServerProcessClass<T> = new (
  child: ChildProcess,
  customerPort: number,
  baristaPort: number,
  stdout: ServerStdout,
  stdoutFile?: string,
) => T;

/**
 * A server (the café, or the bench's bare server) in a process of its own on free loopback
 * ports: for the bench, its CPU and memory read from /proc apart from the load generator's; for
 * the tests, signals and crashes. Its barista port must answer `GET /queue`.
 */
export class ServerProcess {
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  /** Its whole log with `keep`; otherwise the tail of its stderr. */
  private output = '';

  constructor(
    private readonly child: ChildProcess,
    readonly customerPort: number,
    readonly baristaPort: number,
    private readonly stdout: ServerStdout,
    private readonly stdoutFile?: string,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', resolve));
    if (stdout === 'keep') child.stdout?.on('data', (chunk: Buffer) => this.record(chunk));
    else child.stdout?.resume();
    child.stderr?.on('data', (chunk: Buffer) => this.record(chunk));
  }

  /**
   * Starts `script` with `env` on top of ours (and under `openFileLimit` open files, if given)
   * and waits until its barista port answers; ServerRefused if it exits first. A free port can be taken between our finding it and the
   * server binding it (by any client socket's ephemeral port: the bench opens thousands): then
   * it starts again on other ports.
   */
  static async start<T extends ServerProcess>(
    this: ServerProcessClass<T>,
    script: string,
    env: Record<string, string>,
    stdout: ServerStdout = 'null',
    openFileLimit?: number,
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await ServerProcess.launch(this, script, env, stdout, openFileLimit);
      } catch (error) {
        const portTaken = error instanceof ServerRefused && error.message.includes('EADDRINUSE');
        if (!portTaken || attempt === START_ATTEMPTS) throw error;
      }
    }
  }

  private static async launch<T extends ServerProcess>(
    make: ServerProcessClass<T>,
    script: string,
    env: Record<string, string>,
    stdout: ServerStdout,
    openFileLimit: number | undefined,
  ): Promise<T> {
    const [customerPort, baristaPort] = await freePorts(2);
    const out = stdoutFor(stdout, customerPort);
    // Under `ulimit -n`, the shell replaced by node: the pid stays the server's.
    const [command, args] =
      openFileLimit === undefined
        ? [process.execPath, [script]]
        : [
            '/bin/sh',
            ['-c', `ulimit -n ${openFileLimit} && exec "$0" "$1"`, process.execPath, script],
          ];
    const child = spawn(command, args, {
      env: {
        ...process.env,
        ...env,
        HOST: '127.0.0.1',
        CUSTOMER_PORT: String(customerPort),
        BARISTA_PORT: String(baristaPort),
      },
      stdio: ['ignore', out.stdio, 'pipe'],
    });
    if (typeof out.stdio === 'number') closeSync(out.stdio);
    const server = new make(child, customerPort, baristaPort, stdout, out.file);
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      if (server.hasExited()) {
        server.removeStdoutFile();
        throw new ServerRefused(server.output.trim() || `exited with ${child.exitCode}`);
      }
      try {
        await queueOn(baristaPort);
        return server;
      } catch {
        if (Date.now() > deadline) {
          await server.kill();
          throw new Error(
            `${script} did not answer within ${READY_TIMEOUT_MS} ms: ${server.output}`,
          );
        }
        await Promise.race([sleep(50), server.exited]);
      }
    }
  }

  get pid(): number {
    return this.child.pid as number;
  }

  get customerUrl(): string {
    return `http://127.0.0.1:${this.customerPort}/`;
  }

  get baristaUrl(): string {
    return `http://127.0.0.1:${this.baristaPort}/`;
  }

  /** The barista side's `/queue` view. */
  queue(): Promise<{ queued: number; brewing: number }> {
    return queueOn(this.baristaPort);
  }

  /** Its log so far (started with `keep`). */
  get log(): string {
    return this.output;
  }

  /** Resolves once the server has written `text` to its log (started with `keep`). */
  async said(text: string, timeoutMs = 8000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.output.includes(text)) {
      if (Date.now() > deadline) throw new Error(`never said "${text}": ${this.output}`);
      await sleep(5);
    }
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  async kill(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.exited;
    this.removeStdoutFile();
  }

  /** SIGTERM, and SIGKILL if it has not exited within STOP_TIMEOUT_MS. */
  async stop(): Promise<void> {
    if (!this.hasExited()) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await this.exited;
      clearTimeout(timer);
    }
    this.removeStdoutFile();
  }

  private hasExited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  private record(chunk: Buffer): void {
    this.output += chunk.toString('utf8');
    if (this.stdout !== 'keep') this.output = this.output.slice(-STDERR_TAIL);
  }

  private removeStdoutFile(): void {
    if (this.stdoutFile) rmSync(this.stdoutFile, { force: true });
  }
}
