import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { call, eventually, freePorts, type HttpAnswer } from './http-client';

/** The built entry point: `make test` builds before it runs the tests. */
export const MAIN = join(__dirname, '..', '..', 'dist', 'apps', 'cafe', 'src', 'main.js');

/** The real server as a child process on free loopback ports, for signals and crashes. */
export class CafeProcess {
  /** What it wrote to stdout and stderr. */
  private output = '';
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;

  private constructor(
    private readonly child: ChildProcess,
    readonly customerPort: number,
    readonly baristaPort: number,
  ) {
    for (const stream of [child.stdout, child.stderr]) {
      stream?.on('data', (chunk: Buffer) => (this.output += chunk.toString('utf8')));
    }
    this.exited = new Promise((resolve) => child.once('exit', resolve));
  }

  /** Starts it with `env` on top of ours and resolves once the barista port answers. */
  static async start(env: Record<string, string>): Promise<CafeProcess> {
    const [customerPort, baristaPort] = await freePorts(2);
    const child = spawn(process.execPath, [MAIN], {
      env: {
        ...process.env,
        HOST: '127.0.0.1',
        CUSTOMER_PORT: String(customerPort),
        BARISTA_PORT: String(baristaPort),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const cafe = new CafeProcess(child, customerPort, baristaPort);
    const answers = () =>
      call(baristaPort, 'GET', '/queue').then(
        () => true,
        () => false,
      );
    await eventually(answers, 15_000).catch((error) => {
      child.kill('SIGKILL');
      throw new Error(`${String(error)}; the café said: ${cafe.output}`);
    });
    return cafe;
  }

  customer(method: string, path: string, headers?: Record<string, string>): Promise<HttpAnswer> {
    return call(this.customerPort, method, path, { headers });
  }

  barista(method: string, path: string): Promise<HttpAnswer> {
    return call(this.baristaPort, method, path);
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** Resolves once the process has written `text` to its log. */
  said(text: string): Promise<void> {
    return eventually(() => this.output.includes(text), 8000);
  }

  async kill(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.exited;
  }
}
