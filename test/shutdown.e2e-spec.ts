import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { HTTP_ADAPTERS, TestCafe } from './support/cafe-harness';
import { CafeProcess, MAIN } from './support/cafe-process';
import { call, eventually } from './support/http-client';

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
    const cafe = await CafeProcess.start({ HTTP_ADAPTER: adapter });
    try {
      const reply = cafe.customer('POST', '/order/');
      await eventually(async () => (await cafe.barista('GET', '/queue')).body.queued === 1);

      const signalledAt = Date.now();
      cafe.signal('SIGINT');
      expect(await cafe.exited).toBe(0);
      expect(Date.now() - signalledAt).toBeLessThan(10_000);
      expect((await reply).status).toBe(503);
      expect(await portIsFree(cafe.customerPort)).toBe(true);
      expect(await portIsFree(cafe.baristaPort)).toBe(true);
    } finally {
      await cafe.kill();
    }
  }, 20_000);
});
