import { HTTP_ADAPTERS, TestCafe } from './support/cafe-harness';

/**
 * Behind a trusted proxy that writes each client's port into `X-Forwarded-For` (as some load
 * balancers do): the test plays that proxy from 127.0.0.1 and two clients behind it.
 */
describe.each(HTTP_ADAPTERS)('X-Forwarded-For entries with a port on %s', (adapter) => {
  let cafe: TestCafe;
  beforeEach(
    async () =>
      (cafe = await TestCafe.start(adapter, {
        TRUSTED_PROXIES: '127.0.0.1',
        THROTTLE_BURST_LIMIT: '3',
      })),
  );
  afterEach(() => cafe.close());

  const via = (forwardedFor: string) => ({ headers: { 'x-forwarded-for': forwardedFor } });

  it('count as their address: one client is cut off, the other behind the proxy is served', async () => {
    for (const port of [1111, 2222, 3333]) await cafe.order(via(`203.0.113.9:${port}`));
    const fourth = await cafe.customer('POST', '/order/', via('203.0.113.9:4444'));
    expect(fourth.status).toBe(429);

    const other = await cafe.order(via('[2001:DB8::7]:80'));
    const started = await cafe.barista('GET', '/start/');
    expect(started.status).toBe(200);
    await cafe.barista('POST', `/finish/?order_id=${started.body.order_id}`);
    expect((await other.reply).status).toBe(200);
  });
});
