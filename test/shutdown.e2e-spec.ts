import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { HTTP_ADAPTERS, TestCafe } from './support/cafe-harness';
import { CafeProcess, MAIN } from './support/cafe-process';
import { call, eventually, type HttpAnswer } from './support/http-client';

/** Whether something still listens on the port (a fresh listener could not bind it). */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/** Places an order and waits until the barista side sees it queued; the reply stays pending until it is ready. */
async function order(cafe: CafeProcess): Promise<{ reply: Promise<HttpAnswer> }> {
  const queued = async () => (await cafe.barista('GET', '/queue')).body.queued as number;
  const before = await queued();
  const reply = cafe.customer('POST', '/order/');
  reply.catch(() => undefined); // a test that kills the process may leave it without an answer
  await eventually(async () => (await queued()) > before);
  return { reply };
}

/** Signals the café and waits until it says it has begun draining. */
async function startDrain(cafe: CafeProcess, signal: NodeJS.Signals): Promise<void> {
  cafe.signal(signal);
  await cafe.said('taking no new orders');
}

async function expectBothPortsFree(cafe: CafeProcess): Promise<void> {
  expect(await portIsFree(cafe.customerPort)).toBe(true);
  expect(await portIsFree(cafe.baristaPort)).toBe(true);
}

describe.each(HTTP_ADAPTERS)('shutdown on %s', (adapter) => {
  beforeAll(() => expect(existsSync(MAIN)).toBe(true)); // `make test` builds first

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
    const cafe = await CafeProcess.startCafe({ HTTP_ADAPTER: adapter, DRAIN_TIMEOUT_SECONDS: '1' });
    try {
      const { reply } = await order(cafe);

      cafe.signal('SIGINT');
      expect(await cafe.exited).toBe(0);
      expect((await reply).status).toBe(503);
      await expectBothPortsFree(cafe);
    } finally {
      await cafe.kill();
    }
  }, 30_000);

  it('on SIGTERM refuses new orders, lets the barista finish a brewing order for its customer, then exits', async () => {
    const cafe = await CafeProcess.startCafe({
      HTTP_ADAPTER: adapter,
      DRAIN_TIMEOUT_SECONDS: '20',
    });
    try {
      const { reply } = await order(cafe);
      const started = await cafe.barista('GET', '/start/');

      await startDrain(cafe, 'SIGTERM');
      const refused = await cafe.customer('POST', '/order/');
      expect(refused.status).toBe(503);
      expect(refused.headers['retry-after']).toBe('5');
      expect((await cafe.barista('GET', '/queue')).body.brewing).toBe(1);

      const finished = await cafe.barista('POST', `/finish/?order_id=${started.body.order_id}`);
      expect(finished.status).toBe(200);
      expect((await reply).status).toBe(200);
      expect(await cafe.exited).toBe(0);
      await expectBothPortsFree(cafe);
    } finally {
      await cafe.kill();
    }
  }, 40_000);

  it('exits at once on a second signal, without waiting for the drain', async () => {
    const cafe = await CafeProcess.startCafe({
      HTTP_ADAPTER: adapter,
      DRAIN_TIMEOUT_SECONDS: '60',
    });
    try {
      await order(cafe);
      await startDrain(cafe, 'SIGTERM');

      cafe.signal('SIGTERM');
      // 128 + SIGTERM, not the drain's 0: the second signal did not wait for the 60 s drain.
      expect(await cafe.exited).toBe(128 + 15);
      await expectBothPortsFree(cafe);
    } finally {
      await cafe.kill();
    }
  }, 40_000);
});
