import { CafeInstance } from '@cafe/ordering';
import { startCafe } from '../apps/cafe/src/cafe';
import { type CafeConfig, loadConfig } from '../apps/cafe/src/config';
import { createLogger } from '../apps/cafe/src/logger';
import { HTTP_ADAPTERS } from './support/cafe-harness';
import { call, eventually } from './support/http-client';
import { captureLog } from './support/log-capture';

// Log lines are objects of any shape.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Line = Record<string, any>;

/** A café whose logger writes into an array instead of stdout. */
async function loggedCafe(env: Record<string, string>) {
  const config: CafeConfig = loadConfig({
    HOST: '127.0.0.1',
    CUSTOMER_PORT: '0',
    BARISTA_PORT: '0',
    ...env,
  });
  const { text, stream } = captureLog();
  const logger = createLogger(config, stream);
  const cafe = await startCafe(config, { logger });
  const lines = () => text.map((chunk) => JSON.parse(chunk) as Line);
  const requests = () => lines().filter((line) => 'request_id' in line && 'res' in line);
  const events = () => lines().filter((line) => line.context === 'events');
  return { cafe, text, lines, requests, events };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe.each(HTTP_ADAPTERS)('logs on %s', (adapter) => {
  it('writes one JSON line per request and one per domain event', async () => {
    const { cafe, requests, events } = await loggedCafe({
      HTTP_ADAPTER: adapter,
      LOG_LEVEL: 'info',
    });
    try {
      const reply = call(cafe.customerPort, 'POST', '/order/', { localAddress: '127.0.4.2' });
      await eventually(() => events().length === 1);
      const started = await call(cafe.baristaPort, 'GET', '/start/?why=test');
      const orderId = started.body.order_id;
      await call(cafe.baristaPort, 'POST', `/finish/?order_id=${orderId}`);
      expect((await reply).status).toBe(200);
      await call(cafe.baristaPort, 'GET', '/start/');
      await eventually(() => requests().length === 4);

      const [order] = requests().filter(
        (line) => line.req.method === 'POST' && line.req.path === '/order/',
      );
      expect(order).toMatchObject({
        level: 30,
        request_id: expect.stringMatching(UUID),
        req: { method: 'POST', path: '/order/', client_address: '127.0.4.2' },
        res: { status: 200 },
        duration_ms: expect.any(Number),
      });
      expect(typeof order.time).toBe('string');
      expect(requests().map((line) => [line.req.method, line.req.path, line.res.status])).toEqual(
        expect.arrayContaining([
          ['GET', '/start/', 200],
          ['POST', '/finish/', 200],
          ['GET', '/start/', 404],
        ]),
      );
      const ids = requests().map((line) => line.request_id);
      expect(new Set(ids).size).toBe(ids.length);

      expect(events()).toEqual([
        expect.objectContaining({
          position: 1,
          type: 'OrderPlaced',
          order_id: orderId,
          data: {
            drink: 'americano',
            clientAddress: '127.0.4.2',
            heldBy: cafe.core.get(CafeInstance).id,
          },
          msg: 'event',
        }),
        expect.objectContaining({ position: 2, type: 'OrderStarted', order_id: orderId }),
        expect.objectContaining({ position: 3, type: 'OrderFinished', order_id: orderId }),
      ]);
      expect(events()[2].at).toBe(new Date(events()[2].at).toISOString());
    } finally {
      await cafe.close();
    }
  });

  it('logs the client behind a trusted proxy, and the peer of an untrusted one', async () => {
    const { cafe, requests } = await loggedCafe({
      HTTP_ADAPTER: adapter,
      LOG_LEVEL: 'info',
      TRUSTED_PROXIES: '127.0.0.1',
    });
    try {
      const forwarded = { 'x-forwarded-for': '203.0.113.7' };
      await call(cafe.baristaPort, 'GET', '/queue', {
        localAddress: '127.0.0.1',
        headers: forwarded,
      });
      await call(cafe.baristaPort, 'GET', '/queue', {
        localAddress: '127.0.4.9',
        headers: forwarded,
      });
      await eventually(() => requests().length === 2);
      expect(
        requests()
          .map((line) => line.req.client_address)
          .sort(),
      ).toEqual(['127.0.4.9', '203.0.113.7']);
    } finally {
      await cafe.close();
    }
  });

  it('writes no line per request or event at warn', async () => {
    const { cafe, text } = await loggedCafe({ HTTP_ADAPTER: adapter, LOG_LEVEL: 'warn' });
    try {
      const reply = call(cafe.customerPort, 'POST', '/order/');
      await eventually(
        async () => (await call(cafe.baristaPort, 'GET', '/queue')).body.queued === 1,
      );
      const started = await call(cafe.baristaPort, 'GET', '/start/');
      await call(cafe.baristaPort, 'POST', `/finish/?order_id=${started.body.order_id}`);
      await reply;
      await call(cafe.customerPort, 'POST', '/order/', { json: { drink: 'latte' } });
      expect(text).toEqual([]);
    } finally {
      await cafe.close();
    }
  });
});
