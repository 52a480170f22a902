import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { HTTP_ADAPTERS, TestCafe } from './support/cafe-harness';
import { call, eventually, freePort } from './support/http-client';

const MAIN = join(__dirname, '..', 'dist', 'apps', 'cafe', 'src', 'main.js');

/** Whether something still listens on the port (a fresh listener could not bind it). */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
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

  it('exits on SIGINT within 10 s with a customer waiting, leaving no port open', async () => {
    expect(existsSync(MAIN)).toBe(true); // `make test` builds first
    const [customerPort, baristaPort] = [await freePort(), await freePort()];
    const child: ChildProcess = spawn(process.execPath, [MAIN], {
      env: {
        ...process.env,
        HOST: '127.0.0.1',
        CUSTOMER_PORT: String(customerPort),
        BARISTA_PORT: String(baristaPort),
        HTTP_ADAPTER: adapter,
      },
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      await eventually(
        () =>
          call(baristaPort, 'GET', '/queue').then(
            () => true,
            () => false,
          ),
        8000,
      );
      const reply = call(customerPort, 'POST', '/order/');
      await eventually(async () => (await call(baristaPort, 'GET', '/queue')).body.queued === 1);

      const signalledAt = Date.now();
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(Date.now() - signalledAt).toBeLessThan(10_000);
      expect((await reply).status).toBe(503);
      expect(await portIsFree(customerPort)).toBe(true);
      expect(await portIsFree(baristaPort)).toBe(true);
    } finally {
      child.kill('SIGKILL');
    }
  }, 20_000);
});
