import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { HttpAdapterName } from '@cafe/http';
import { HTTP_ADAPTERS, TestCafe } from './support/cafe-harness';
import { call, eventually, type HttpAnswer } from './support/http-client';

const MAIN = join(__dirname, '..', 'dist', 'apps', 'cafe', 'src', 'main.js');

/** Whether something still listens on the port (a fresh listener could not bind it). */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The real server as a child process, once both ports answer. */
class ChildCafe {
  readonly exited: Promise<number | null>;
  private output = '';

  private constructor(
    readonly child: ChildProcess,
    readonly customerPort: number,
    readonly baristaPort: number,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', resolve));
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString('utf8')));
  }

  static async start(adapter: HttpAdapterName, env: Record<string, string>): Promise<ChildCafe> {
    expect(existsSync(MAIN)).toBe(true); // `make test` builds first
    const [customerPort, baristaPort] = [await freePort(), await freePort()];
    const child = spawn(process.execPath, [MAIN], {
      env: {
        ...process.env,
        HOST: '127.0.0.1',
        CUSTOMER_PORT: String(customerPort),
        BARISTA_PORT: String(baristaPort),
        HTTP_ADAPTER: adapter,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const cafe = new ChildCafe(child, customerPort, baristaPort);
    try {
      await eventually(
        () =>
          call(baristaPort, 'GET', '/queue').then(
            () => true,
            () => false,
          ),
        8000,
      );
    } catch (error) {
      cafe.kill();
      throw error;
    }
    return cafe;
  }

  /** Places an order and waits until the barista side sees it queued; the reply stays pending until it is ready. */
  async order(): Promise<{ reply: Promise<HttpAnswer> }> {
    const before = await this.queue('queued');
    const reply = call(this.customerPort, 'POST', '/order/');
    reply.catch(() => undefined); // a test that kills the process may leave it without an answer
    await eventually(async () => (await this.queue('queued')) > before);
    return { reply };
  }

  async queue(field: 'queued' | 'brewing'): Promise<number> {
    return (await call(this.baristaPort, 'GET', '/queue')).body[field];
  }

  /** Signals the process and waits until it has begun draining, as its log says. */
  async signal(signal: NodeJS.Signals): Promise<void> {
    this.child.kill(signal);
    await eventually(() => this.output.includes('taking no new orders'), 8000);
  }

  async expectBothPortsFree(): Promise<void> {
    expect(await portIsFree(this.customerPort)).toBe(true);
    expect(await portIsFree(this.baristaPort)).toBe(true);
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }
}

describe.each(HTTP_ADAPTERS)('shutdown on %s', (adapter) => {
  it('answers waiting customers 503 and closes both ports together', async () => {
    const cafe = await TestCafe.start(adapter);
    const { customerPort, baristaPort } = cafe.cafe;
    const { reply } = await cafe.order();

    await cafe.close();

    const answer = await reply;
    expect(answer.status).toBe(503);
    expect(answer.headers['retry-after']).toBe('5');
    expect(answer.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
    await expect(call(customerPort, 'GET', '/')).rejects.toThrow(/ECONNREFUSED/);
    await expect(call(baristaPort, 'GET', '/queue')).rejects.toThrow(/ECONNREFUSED/);
  });

  it('on SIGINT drains for DRAIN_TIMEOUT_SECONDS, then answers the waiting customer 503 and exits, leaving no port open', async () => {
    const cafe = await ChildCafe.start(adapter, { DRAIN_TIMEOUT_SECONDS: '1' });
    try {
      const { reply } = await cafe.order();

      const signalledAt = Date.now();
      cafe.child.kill('SIGINT');
      expect(await cafe.exited).toBe(0);
      expect(Date.now() - signalledAt).toBeLessThan(10_000);
      expect((await reply).status).toBe(503);
      await cafe.expectBothPortsFree();
    } finally {
      cafe.kill();
    }
  }, 20_000);

  it('on SIGTERM refuses new orders, lets the barista finish a brewing order for its customer, then exits', async () => {
    const cafe = await ChildCafe.start(adapter, { DRAIN_TIMEOUT_SECONDS: '20' });
    try {
      const { reply } = await cafe.order();
      const started = await call(cafe.baristaPort, 'GET', '/start/');

      await cafe.signal('SIGTERM');
      const refused = await call(cafe.customerPort, 'POST', '/order/');
      expect(refused.status).toBe(503);
      expect(refused.headers['retry-after']).toBe('5');
      expect(await cafe.queue('brewing')).toBe(1);

      const finished = await call(
        cafe.baristaPort,
        'POST',
        `/finish/?order_id=${started.body.order_id}`,
      );
      expect(finished.status).toBe(200);
      expect((await reply).status).toBe(200);
      expect(await cafe.exited).toBe(0);
      await cafe.expectBothPortsFree();
    } finally {
      cafe.kill();
    }
  }, 30_000);

  it('exits at once on a second signal, without waiting for the drain', async () => {
    const cafe = await ChildCafe.start(adapter, { DRAIN_TIMEOUT_SECONDS: '60' });
    try {
      await cafe.order();
      await cafe.signal('SIGTERM');

      const signalledAt = Date.now();
      cafe.child.kill('SIGTERM');
      expect(await cafe.exited).toBe(128 + 15);
      // Far inside the 60 s drain: the second signal did not wait for it.
      expect(Date.now() - signalledAt).toBeLessThan(10_000);
      await cafe.expectBothPortsFree();
    } finally {
      cafe.kill();
    }
  }, 30_000);
});
