import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import pino from 'pino';
import { EventStore } from '@cafe/ordering';
import { HTTP_ADAPTERS, TestCafe } from './support/cafe-harness';
import { MAIN } from './support/cafe-process';
import { countStatuses, customer, FLOOD_ADDRESS } from '@cafe/simulation';
import { orderUrl } from './support/crowd';
import { eventually, type HttpAnswer } from './support/http-client';
import { describeWithInstalled } from './support/installed-tool';
import { captureLog } from './support/log-capture';
import {
  describeWithRedis,
  dropKeys,
  floodLimitsShared,
  REDIS_URL,
  testKeyPrefix,
  ThrowawayRedis,
} from './support/redis';

jest.setTimeout(30_000);

const BURST_LIMIT = 10;
const REGULAR = '127.0.7.7';

/** The flood address's orders in a café's log: placed, and cancelled as a flood. */
async function floodOrders(cafe: TestCafe): Promise<{ placed: string[]; cancelled: string[] }> {
  const log = (await cafe.cafe.core.get(EventStore).readAll()).map(({ event }) => event);
  const placed = log
    .filter((event) => event.type === 'OrderPlaced' && event.clientAddress === FLOOD_ADDRESS)
    .map(({ orderId }) => orderId);
  const cancelled = log
    .filter((event) => event.type === 'OrderCancelled' && event.reason === 'flood')
    .map(({ orderId }) => orderId);
  return { placed, cancelled };
}

/**
 * Malformed JSON from `address`: 429 when the café refuses the address on node's server, before
 * the body is read; a 400 otherwise, which places no order.
 */
function malformedOrderFrom(cafe: TestCafe, address: string): Promise<HttpAnswer> {
  return cafe.customer('POST', '/order', {
    localAddress: address,
    raw: '{not json',
    headers: { 'content-type': 'application/json' },
  });
}

/** Serves the oldest order on `cafe`, as a barista would. */
async function serveOne(cafe: TestCafe): Promise<void> {
  const started = await cafe.barista('GET', '/start/');
  expect(started.status).toBe(200);
  await cafe.barista('POST', `/finish/?order_id=${started.body.order_id}`);
}

describeWithRedis()('flood defence shared through Redis', () => {
  describe.each(HTTP_ADAPTERS)('two instances on %s', (adapter) => {
    let prefix: string;
    let cafes: TestCafe[];

    const startTwo = async (env: Record<string, string> = {}) => {
      const shared = { REDIS_URL, REDIS_KEY_PREFIX: prefix, THROTTLE_BLOCK_SECONDS: '120', ...env };
      cafes = [await TestCafe.start(adapter, shared), await TestCafe.start(adapter, shared)];
      return cafes;
    };

    beforeEach(() => {
      prefix = testKeyPrefix();
      cafes = [];
    });

    afterEach(async () => {
      await Promise.all(cafes.map((cafe) => cafe.close()));
      await dropKeys(prefix);
    });

    it("cuts a flood spread over both off at one instance's limits, and cancels what it had queued on both", async () => {
      const [a, b] = await startTwo({ THROTTLE_BURST_LIMIT: String(BURST_LIMIT) });

      const flood = await Promise.all(
        Array.from({ length: 4 * BURST_LIMIT }, (_, i) =>
          customer(orderUrl([a, b][i % 2].cafe.customerPort), { localAddress: FLOOD_ADDRESS }),
        ),
      );

      // One burst over both together, not one on each: every accepted order was then cut off.
      expect(countStatuses(flood)).toEqual({ 429: 4 * BURST_LIMIT });
      const [onA, onB] = [await floodOrders(a), await floodOrders(b)];
      expect(onA.placed.length + onB.placed.length).toBe(BURST_LIMIT);
      expect(onA.cancelled.sort()).toEqual(onA.placed.sort());
      expect(onB.cancelled.sort()).toEqual(onB.placed.sort());
      expect([await a.queued(), await b.queued()]).toEqual([0, 0]);

      // Regulars are served on both.
      for (const cafe of [a, b]) {
        const { reply } = await cafe.order({ localAddress: REGULAR });
        await serveOne(cafe);
        expect((await reply).status).toBe(200);
      }
    });

    it('tells the other instance of a block at once: it cuts off its waiting orders and refuses the next before parsing them', async () => {
      const [a, b] = await startTwo({ THROTTLE_BURST_LIMIT: String(BURST_LIMIT) });
      const waitingOnB = [
        await b.order({ localAddress: FLOOD_ADDRESS }),
        await b.order({ localAddress: FLOOD_ADDRESS }),
      ];

      // Two hits on b and nine on a: the eleventh, on a, blocks the address.
      const onA = await Promise.all(
        Array.from({ length: BURST_LIMIT - 1 }, () =>
          customer(orderUrl(a.cafe.customerPort), { localAddress: FLOOD_ADDRESS }),
        ),
      );
      expect(countStatuses(onA)).toEqual({ 429: BURST_LIMIT - 1 });

      for (const { reply } of waitingOnB) expect((await reply).status).toBe(429);
      expect(await b.queued()).toBe(0);
      const malformed = await malformedOrderFrom(b, FLOOD_ADDRESS);
      expect(malformed.status).toBe(429);
      expect(Number(malformed.headers['retry-after'])).toBeGreaterThan(100);
      expect(
        (await b.customer('GET', '/orders/unknown', { localAddress: FLOOD_ADDRESS })).status,
      ).toBe(404);
    });

    it('caps the orders one address has waiting over both instances', async () => {
      const [a, b] = await startTwo({ MAX_WAITING_PER_ADDRESS: '3' });
      const first = await a.order({ localAddress: REGULAR });
      await a.order({ localAddress: REGULAR });
      await b.order({ localAddress: REGULAR });

      for (const cafe of [a, b]) {
        const refused = await cafe.customer('POST', '/order/', { localAddress: REGULAR });
        expect(refused.status).toBe(429);
        expect(refused.headers['retry-after']).toBe('60');
      }

      await serveOne(a);
      expect((await first.reply).status).toBe(200);
      // The place freed on a is free on b too.
      await b.order({ localAddress: REGULAR });
      expect(await b.queued()).toBe(2);
    });

    it('counts orders queued with Prefer: respond-async over both instances, until a barista starts them', async () => {
      const [a, b] = await startTwo({ MAX_WAITING_PER_ADDRESS: '3' });
      const async = { localAddress: REGULAR, headers: { prefer: 'respond-async' } };
      for (const cafe of [a, a, b]) {
        expect((await cafe.customer('POST', '/order/', async)).status).toBe(202);
      }
      for (const cafe of [a, b]) {
        expect((await cafe.customer('POST', '/order/', async)).status).toBe(429);
      }
      expect((await a.barista('GET', '/start/')).status).toBe(200);
      // The place a's start freed is free on b too.
      await eventually(async () => (await b.customer('POST', '/order/', async)).status === 202);
      expect((await a.customer('POST', '/order/', async)).status).toBe(429);
    });

    it('counts the lookups of unknown orders one address makes over both instances', async () => {
      const [a, b] = await startTwo({ LOOKUP_MISSES_PER_MINUTE: '4' });
      const lookUp = (cafe: TestCafe, localAddress: string) =>
        cafe.customer('GET', `/orders/${randomUUID()}`, { localAddress });
      const misses = [];
      for (const cafe of [a, b, a, b]) misses.push((await lookUp(cafe, FLOOD_ADDRESS)).status);
      expect(misses).toEqual([404, 404, 404, 404]);
      // Two on each instance, four in all: the next is one too many on either.
      for (const cafe of [b, a]) {
        const refused = await lookUp(cafe, FLOOD_ADDRESS);
        expect(refused.status).toBe(429);
        expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      }
      expect((await lookUp(a, REGULAR)).status).toBe(404);
    });
  });

  it('ignores a malformed block notice on its channel and keeps taking orders', async () => {
    const prefix = testKeyPrefix();
    const cafe = await TestCafe.start('express', { REDIS_URL, REDIS_KEY_PREFIX: prefix });
    const publisher = new Redis(REDIS_URL);
    try {
      for (const notice of [
        'not json',
        'null',
        JSON.stringify({ from: 'x', address: FLOOD_ADDRESS, throttler: 'burst', seconds: -1 }),
        JSON.stringify({ from: 'x', address: 'a'.repeat(101), throttler: 'burst', seconds: 60 }),
      ]) {
        expect(await publisher.publish(`${prefix}blocks`, notice)).toBe(1);
      }
      const valid = { from: 'x', address: '127.0.9.1', throttler: 'burst', seconds: 60 };
      await publisher.publish(`${prefix}blocks`, JSON.stringify(valid));
      // The valid notice, sent last, is applied (a malformed body is refused before it is
      // read, 429 rather than 400): the malformed notices before it were dropped.
      await eventually(async () => (await malformedOrderFrom(cafe, '127.0.9.1')).status === 429);
      const { reply } = await cafe.order({ localAddress: FLOOD_ADDRESS });
      await serveOne(cafe);
      expect((await reply).status).toBe(200);
    } finally {
      publisher.disconnect();
      await cafe.close();
      await dropKeys(prefix);
    }
  });

  it('stops the start with one line naming REDIS_URL when Redis refuses it', () => {
    const url = new URL(REDIS_URL);
    url.pathname = '/99999';
    const started = spawnSync(process.execPath, [MAIN], {
      env: {
        ...process.env,
        REDIS_URL: url.toString(),
        CUSTOMER_PORT: '0',
        BARISTA_PORT: '0',
        LOG_LEVEL: 'silent',
      },
      encoding: 'utf8',
      timeout: 15_000,
    });
    expect(started.status).toBe(1);
    expect(started.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^cafe: REDIS_URL redis:\/\/.*\/99999: ERR DB index is out of range$/),
    ]);
  });
});

describeWithInstalled('redis-server')('a Redis that comes and goes', () => {
  let redis: ThrowawayRedis;
  let cafes: TestCafe[] = [];
  // One for the whole file: nestjs-pino sends Nest's messages to the first logger it was given.
  const log = captureLog();
  const logger = pino({ level: 'info' }, log.stream);

  beforeEach(async () => {
    redis = await ThrowawayRedis.create();
  });

  afterEach(async () => {
    await Promise.all(cafes.map((cafe) => cafe.close()));
    await redis.stop();
  });

  it.each(HTTP_ADAPTERS)(
    'on %s: starts without it, limits per instance while it is down (logged once per outage, in a metric) and shares again once it is back',
    async (adapter) => {
      const linesBefore = log.text.length;
      const linesSaying = (text: string) =>
        log.text.slice(linesBefore).filter((line) => line.includes(text)).length;
      const env = {
        REDIS_URL: redis.url,
        THROTTLE_BURST_LIMIT: '4',
        THROTTLE_BLOCK_SECONDS: '120',
      };
      cafes = [
        await TestCafe.start(adapter, env, { logger }),
        await TestCafe.start(adapter, env, { logger }),
      ];
      const [a, b] = cafes;
      const outagesLogged = () => linesSaying('unreachable');
      expect([await floodLimitsShared(a), await floodLimitsShared(b)]).toEqual([false, false]);

      await redis.start();
      await eventually(
        async () => (await floodLimitsShared(a)) && (await floodLimitsShared(b)),
        10_000,
      );

      await redis.stop();
      await eventually(async () => !(await floodLimitsShared(a)) && !(await floodLimitsShared(b)));
      // Each instance takes orders with its own limits: 4 from one address on each, not 4 in all.
      const asyncOrder = (cafe: TestCafe, localAddress: string) =>
        cafe.customer('POST', '/order/', { localAddress, headers: { prefer: 'respond-async' } });
      const statuses = async (from: string, ...onto: TestCafe[]) => {
        const answers = [];
        for (const cafe of onto) answers.push((await asyncOrder(cafe, from)).status);
        return answers;
      };
      expect(await statuses('127.0.8.1', a, b, a, b, a, b, a, b, a)).toEqual([
        ...Array(8).fill(202),
        429,
      ]);
      expect(outagesLogged()).toBe(4); // the start and this outage, on each instance
      expect(linesSaying('shared again')).toBe(2);

      await redis.start();
      await eventually(
        async () => (await floodLimitsShared(a)) && (await floodLimitsShared(b)),
        10_000,
      );
      expect(await statuses('127.0.9.9', a, b, a, b, a)).toEqual([202, 202, 202, 202, 429]);
      expect(outagesLogged()).toBe(4);
    },
  );
});
