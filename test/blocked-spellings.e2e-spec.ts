import { type Cafe, startCafe } from '../apps/cafe/src/cafe';
import { loadConfig } from '../apps/cafe/src/config';
import { createLogger } from '../apps/cafe/src/logger';
import { HTTP_ADAPTERS } from './support/cafe-harness';
import { call, eventually } from './support/http-client';
import { captureLog } from './support/log-capture';
import { rawExchange } from './support/raw-http';

const FLOODER = '127.0.66.6';

/** Every spelling of the order route that Express or Fastify routes to it (or might). */
const SPELLINGS = [
  '/order/',
  '/order',
  '/ORDER/',
  '/Order',
  'http://h/order/',
  'http://h/order',
  '/order/#',
  '/order#x',
  '/%6Frder/',
  '/%6frder',
  '/orde%72/?x=1',
  '//order//',
];

/** Broken JSON: past the cheap refusal, the body reader would answer 400. */
const brokenOrder = (target: string) =>
  `POST ${target} HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\nContent-Length: 5\r\n\r\n{not `;

describe.each(HTTP_ADAPTERS)('a blocked address on %s', (adapter) => {
  let cafe: Cafe;
  let logged: string[];
  beforeEach(async () => {
    const config = loadConfig({
      HOST: '127.0.0.1',
      CUSTOMER_PORT: '0',
      BARISTA_PORT: '0',
      HTTP_ADAPTER: adapter,
      LOG_LEVEL: 'info',
      THROTTLE_BURST_LIMIT: '1',
    });
    const { text, stream } = captureLog();
    logged = text;
    cafe = await startCafe(config, { logger: createLogger(config, stream) });
    await call(cafe.customerPort, 'POST', '/order/', {
      localAddress: FLOODER,
      headers: { prefer: 'respond-async' },
    });
    expect(
      (await call(cafe.customerPort, 'POST', '/order/', { localAddress: FLOODER })).status,
    ).toBe(429);
  });
  afterEach(() => cafe.close());

  it.each(SPELLINGS)('is refused cheaply on %j, with no log line', async (target) => {
    const answer = await rawExchange(cafe.customerPort, brokenOrder(target), undefined, FLOODER);
    expect(answer.status).toBe(429);
    expect(answer.body).toEqual({
      statusCode: 429,
      error: 'Too Many Requests',
      message: expect.any(String),
    });
    // A request of another address is logged; none of the refusals before it was.
    await call(cafe.baristaPort, 'GET', '/queue');
    await eventually(() => logged.some((line) => line.includes('"/queue"')));
    const refusalsLogged = logged.filter((line) => line.includes('"status":429'));
    expect(refusalsLogged).toHaveLength(1); // the guard's, which blocked the address
  });
});
