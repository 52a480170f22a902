import { EventStore } from '@cafe/ordering';
import { HTTP_ADAPTERS, TestCafe } from './support/cafe-harness';
import { baristas, countStatuses, customers, FLOOD_ADDRESS } from '@cafe/simulation';
import { baristaUrl, orderUrl, rushHourAt, TEST_BARISTAS } from './support/crowd';
import { expectFloodCutOff } from './support/flood-outcome';

const ERROR_SHAPE = { statusCode: 429, error: 'Too Many Requests', message: expect.any(String) };

const portsOf = ({ cafe }: TestCafe) => ({
  customer: cafe.customerPort,
  barista: cafe.baristaPort,
});

jest.setTimeout(60_000);

describe.each(HTTP_ADAPTERS)('flood defence on %s, default settings', (adapter) => {
  let cafe: TestCafe;

  beforeEach(async () => {
    cafe = await TestCafe.start(adapter);
  });

  afterEach(() => cafe.close());

  it('serves a group of 200 arriving at once from one address in full', async () => {
    const staff = baristas(baristaUrl(cafe.cafe.baristaPort), 10, TEST_BARISTAS);
    const group = await customers(
      orderUrl(cafe.cafe.customerPort),
      Array.from({ length: 200 }, () => '127.0.55.5'),
      0,
    );
    expect((await staff.stop()).errors).toBe(0);
    expect(countStatuses(group)).toEqual({ 200: 200 });
  });

  it.each([
    ['a flood of 3,000 at once', false],
    ['the same flood forging a changing X-Forwarded-For', true],
  ])('cuts off %s; every regular is served', async (_, forge) => {
    const outcome = await rushHourAt(portsOf(cafe), { count: 3000, forge });
    expectFloodCutOff(outcome, [...(await cafe.cafe.core.get(EventStore).readAll())]);
  });

  it('answers a cut-off address 429 with Retry-After on its waiting orders', async () => {
    const smallCafe = await TestCafe.start(adapter, {
      THROTTLE_BURST_LIMIT: '5',
      THROTTLE_BLOCK_SECONDS: '120',
    });
    try {
      const waiting = [];
      for (let i = 0; i < 5; i++)
        waiting.push((await smallCafe.order({ localAddress: FLOOD_ADDRESS })).reply);
      const sixth = await smallCafe.customer('POST', '/order/', { localAddress: FLOOD_ADDRESS });
      expect(sixth.status).toBe(429);
      expect(sixth.headers['retry-after']).toBe('120');
      // From now on refused on node's server, before the body is even parsed: malformed JSON
      // would otherwise be a 400.
      const seventh = await smallCafe.customer('POST', '/order', {
        localAddress: FLOOD_ADDRESS,
        raw: '{not json',
        headers: { 'content-type': 'application/json' },
      });
      expect(seventh.status).toBe(429);
      expect(Number(seventh.headers['retry-after'])).toBeGreaterThanOrEqual(119);
      expect(seventh.body).toEqual(ERROR_SHAPE);
      // Only placing orders is refused: the address may still look at its orders.
      const polled = await smallCafe.customer('GET', '/orders/unknown', {
        localAddress: FLOOD_ADDRESS,
      });
      expect(polled.status).toBe(404);
      for (const reply of await Promise.all(waiting)) {
        expect(reply.status).toBe(429);
        expect(reply.headers['retry-after']).toBe('120');
        expect(reply.body).toEqual(ERROR_SHAPE);
      }
      expect(await smallCafe.queued()).toBe(0);
      expect((await smallCafe.barista('GET', '/start/')).status).toBe(404);
      // Another address is not affected, and baristas are never throttled.
      const other = await smallCafe.order({ localAddress: '127.0.3.3' });
      expect(await smallCafe.queued()).toBe(1);
      for (let i = 0; i < 20; i++)
        expect((await smallCafe.barista('GET', '/queue')).status).toBe(200);
      const started = await smallCafe.barista('GET', '/start/');
      await smallCafe.barista('POST', `/finish/?order_id=${started.body.order_id}`);
      expect((await other.reply).status).toBe(200);
    } finally {
      await smallCafe.close();
    }
  });

  it('caps the orders one address may have waiting, without blocking it', async () => {
    const capped = await TestCafe.start(adapter, { MAX_WAITING_PER_ADDRESS: '3' });
    try {
      const waiting = [];
      for (let i = 0; i < 3; i++) waiting.push(await capped.order({ localAddress: FLOOD_ADDRESS }));
      const fourth = await capped.customer('POST', '/order/', { localAddress: FLOOD_ADDRESS });
      expect(fourth.status).toBe(429);
      expect(fourth.headers['retry-after']).toBe('60');
      expect(fourth.body).toEqual(ERROR_SHAPE);
      expect(await capped.queued()).toBe(3);

      const started = await capped.barista('GET', '/start/');
      await capped.barista('POST', `/finish/?order_id=${started.body.order_id}`);
      expect((await waiting[0].reply).status).toBe(200);
      // The place is free again once the answer is out.
      const again = await capped.order({ localAddress: FLOOD_ADDRESS });
      expect(await capped.queued()).toBe(3);
      again.reply.catch(() => undefined);
    } finally {
      await capped.close();
    }
  });

  it('under QUEUE_POLICY=fair, a regular behind a backlog of 150 from one address is served next', async () => {
    const startsAhead = async (queuePolicy: string) => {
      const policyCafe = await TestCafe.start(adapter, { QUEUE_POLICY: queuePolicy });
      try {
        const backlog = [];
        for (let i = 0; i < 150; i++)
          backlog.push((await policyCafe.order({ localAddress: '127.0.77.7' })).reply);
        const regular = await policyCafe.order({ localAddress: '127.0.3.3' });
        const staff = baristas(baristaUrl(policyCafe.cafe.baristaPort), 10, TEST_BARISTAS);
        const answer = await regular.reply;
        await Promise.all(backlog);
        expect((await staff.stop()).errors).toBe(0);
        const starts = [...(await policyCafe.cafe.core.get(EventStore).readAll())]
          .filter(({ event }) => event.type === 'OrderStarted')
          .map(({ event }) => event.orderId);
        return starts.indexOf(answer.body.order_id);
      } finally {
        await policyCafe.close();
      }
    };
    expect(await startsAhead('fifo')).toBe(150);
    expect(await startsAhead('fair')).toBeLessThanOrEqual(1);
  });
});
