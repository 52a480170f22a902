import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CommandBus } from '@nestjs/cqrs';
import { CancelOrderCommand, EventStore, WaitingCustomers } from '@cafe/ordering';
import { HTTP_ADAPTERS, TestCafe } from './support/cafe-harness';
import { eventually, isSettled } from './support/http-client';

const ERROR_SHAPE = {
  statusCode: expect.any(Number),
  error: expect.any(String),
  message: expect.anything(),
};
const ASYNC = { prefer: 'respond-async' };

let dir: string;
let files = 0;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'cafe-e2e-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const STORES = ['memory', 'sqlite'] as const;
const eventStoreEnv = (store: (typeof STORES)[number]) =>
  store === 'memory' ? 'memory' : `sqlite:${join(dir, `${++files}.db`)}`;

describe.each(HTTP_ADAPTERS.flatMap((adapter) => STORES.map((store) => [adapter, store])))(
  'idempotent and asynchronous orders on %s with the %s store',
  (adapter, store) => {
    let cafe: TestCafe;
    beforeEach(async () => {
      cafe = await TestCafe.start(adapter as (typeof HTTP_ADAPTERS)[number], {
        EVENT_STORE: eventStoreEnv(store as (typeof STORES)[number]),
      });
    });
    afterEach(() => cafe.close());

    const placeAsync = (headers: Record<string, string> = {}, json?: unknown) =>
      cafe.customer('POST', '/order/', { headers: { ...ASYNC, ...headers }, json });

    it('answers Prefer: respond-async with 202, the place in the queue and where to poll', async () => {
      const first = await placeAsync();
      const second = await placeAsync({ prefer: 'wait=5, Respond-Async' });
      expect(first.status).toBe(202);
      expect(first.body).toMatchObject({ status: 'queued', position: 1 });
      expect(first.headers.location).toBe(`/orders/${first.body.order_id}`);
      expect(first.headers['preference-applied']).toBe('respond-async');
      expect(second.status).toBe(202);
      expect(second.body).toMatchObject({ status: 'queued', position: 2 });

      const polled = await cafe.customer('GET', second.headers.location as string);
      expect(polled.status).toBe(200);
      expect(polled.body).toEqual({
        order_id: second.body.order_id,
        drink: 'americano',
        status: 'queued',
        position: 2,
        placed_at: second.body.placed_at,
      });

      const started = await cafe.barista('GET', '/start/');
      expect(started.body.order_id).toBe(first.body.order_id);
      expect((await cafe.customer('GET', `/orders/${second.body.order_id}`)).body.position).toBe(1);
      const brewing = await cafe.customer('GET', `/orders/${first.body.order_id}`);
      expect(brewing.body).toMatchObject({ status: 'brewing', started_at: expect.any(String) });
      expect(brewing.body.position).toBeUndefined();

      await cafe.barista('POST', `/finish/?order_id=${first.body.order_id}`);
      const ready = await cafe.customer('GET', `/orders/${first.body.order_id}`);
      expect(ready.body).toMatchObject({ status: 'ready', finished_at: expect.any(String) });
    });

    it('holds GET /orders/{id}?wait=S until the order is ready', async () => {
      const { body } = await placeAsync();
      const polled = cafe.customer('GET', `/orders/${body.order_id}?wait=30`);
      await eventually(() => cafe.cafe.core.get(WaitingCustomers).size === 1);
      expect(await isSettled(polled)).toBe(false);
      await cafe.barista('GET', '/start/');
      expect(await isSettled(polled)).toBe(false);
      await cafe.barista('POST', `/finish/?order_id=${body.order_id}`);
      expect((await polled).body).toMatchObject({ order_id: body.order_id, status: 'ready' });
    });

    it('answers GET /orders/{id}?wait=S with the current state once S seconds passed', async () => {
      const { body } = await placeAsync();
      const polled = await cafe.customer('GET', `/orders/${body.order_id}?wait=1`);
      expect(polled.status).toBe(200);
      expect(polled.body).toMatchObject({ status: 'queued', position: 1 });
      expect(cafe.cafe.core.get(WaitingCustomers).size).toBe(0);
    });

    it.each([
      ['an unknown id', '/orders/no-such-order', 404],
      ['a too long id', `/orders/${'x'.repeat(129)}`, 422],
      ['a very long id', `/orders/${'x'.repeat(4000)}`, 422],
      ['a wait over 60 s', '/orders/ID?wait=61', 422],
      ['a negative wait', '/orders/ID?wait=-1', 422],
      ['a fractional wait', '/orders/ID?wait=1.5', 422],
      ['a wait that is no number', '/orders/ID?wait=soon', 422],
      ['an unknown parameter', '/orders/ID?when=now', 422],
    ])('refuses GET /orders with %s', async (_, path, status) => {
      const { body } = await placeAsync();
      const answer = await cafe.customer('GET', path.replace('ID', body.order_id));
      expect(answer.status).toBe(status);
      expect(answer.body).toEqual({ ...ERROR_SHAPE, statusCode: status });
    });

    it('does not cancel a 202 order when its request ends: a barista still gets it', async () => {
      const { body } = await placeAsync();
      // The answer was read and the connection closed: once the server has seen it close, a
      // cancel on close would already be in the log.
      const server = cafe.cafe.customer.getHttpServer();
      const connections = promisify(server.getConnections.bind(server));
      await eventually(async () => (await connections()) === 0);
      const types = [...(await cafe.cafe.core.get(EventStore).readAll())].map(
        ({ event }) => event.type,
      );
      expect(types).toEqual(['OrderPlaced']);
      expect((await cafe.barista('GET', '/start/')).body.order_id).toBe(body.order_id);
    });

    it('attaches a repeat with the same Idempotency-Key to the same order: 202 while open, 200 once ready', async () => {
      const key = { 'idempotency-key': 'key-1' };
      const first = await placeAsync(key);
      const repeat = await placeAsync(key);
      expect(repeat.status).toBe(202);
      expect(repeat.body.order_id).toBe(first.body.order_id);
      expect(await cafe.queued()).toBe(1);

      const blocking = cafe.customer('POST', '/order', { headers: key });
      await eventually(() => cafe.cafe.core.get(WaitingCustomers).size === 1);
      await cafe.barista('GET', '/start/');
      expect((await placeAsync(key)).body).toMatchObject({ status: 'brewing' });
      await cafe.barista('POST', `/finish/?order_id=${first.body.order_id}`);
      expect((await blocking).body).toMatchObject({
        order_id: first.body.order_id,
        status: 'ready',
      });

      const afterReady = await placeAsync(key);
      expect(afterReady.status).toBe(200);
      expect(afterReady.body).toMatchObject({ order_id: first.body.order_id, status: 'ready' });
      const blockingAfterReady = await cafe.customer('POST', '/order/', { headers: key });
      expect(blockingAfterReady.status).toBe(200);
      expect(blockingAfterReady.body.order_id).toBe(first.body.order_id);
      expect(await placements(cafe)).toBe(1);
    });

    it('keeps a keyed order when its waiting customer hangs up, so they can come back to it', async () => {
      const key = { 'idempotency-key': 'phone-lost-signal' };
      const leaving = new AbortController();
      await cafe.order({ headers: key, signal: leaving.signal });
      leaving.abort();
      await eventually(() => cafe.cafe.core.get(WaitingCustomers).size === 0);
      expect(await cafe.queued()).toBe(1);

      const back = cafe.customer('POST', '/order/', { headers: key });
      await eventually(() => cafe.cafe.core.get(WaitingCustomers).size === 1);
      const started = await cafe.barista('GET', '/start/');
      await cafe.barista('POST', `/finish/?order_id=${started.body.order_id}`);
      expect((await back).body).toMatchObject({ order_id: started.body.order_id, status: 'ready' });
    });

    it('places exactly one order for many simultaneous requests with one new key', async () => {
      const key = { 'idempotency-key': 'double-tap' };
      const answers = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          cafe.customer('POST', '/order/', {
            headers: { ...ASYNC, ...key },
            localAddress: `127.0.3.${i + 1}`,
          }),
        ),
      );
      expect(answers.map((a) => a.status)).toEqual(Array(10).fill(202));
      expect(new Set(answers.map((a) => a.body.order_id)).size).toBe(1);
      expect(await placements(cafe)).toBe(1);
    });

    it('answers 422 to the same key with a different body', async () => {
      const key = { 'idempotency-key': 'k' };
      const first = await placeAsync(key, {});
      const conflict = await placeAsync(key, { drink: 'americano' });
      expect(conflict.status).toBe(422);
      expect(conflict.body).toEqual({
        ...ERROR_SHAPE,
        statusCode: 422,
        message: expect.stringContaining('different request'),
      });
      const blocking = await cafe.customer('POST', '/order', {
        headers: key,
        json: { drink: 'americano' },
      });
      expect(blocking.status).toBe(422);
      const same = await placeAsync(key, {});
      expect(same.body.order_id).toBe(first.body.order_id);
      expect(await placements(cafe)).toBe(1);
    });

    it.each([
      ['customer_left', 409],
      ['flood', 429],
    ] as const)(
      'answers %s-cancelled orders’ keys with %i: the key is spent',
      async (reason, status) => {
        const key = { 'idempotency-key': `cancelled-${reason}` };
        const { body } = await placeAsync(key);
        await cafe.cafe.core.get(CommandBus).execute(new CancelOrderCommand(body.order_id, reason));
        for (const headers of [{ ...ASYNC, ...key }, key]) {
          const answer = await cafe.customer('POST', '/order/', { headers });
          expect(answer.status).toBe(status);
          expect(answer.body).toEqual({
            ...ERROR_SHAPE,
            statusCode: status,
            message: expect.stringContaining('cancelled'),
          });
        }
        const polled = await cafe.customer('GET', `/orders/${body.order_id}?wait=5`);
        expect(polled.body).toMatchObject({ status: 'cancelled', cancel_reason: reason });
        expect(await placements(cafe)).toBe(1);
      },
    );

    it.each([
      ['an empty key', ''],
      ['a key over 200 characters', 'k'.repeat(201)],
      ['a key with a space', 'two words'],
    ])('refuses %s with 400 and places nothing', async (_, value) => {
      const answer = await cafe.customer('POST', '/order/', {
        headers: { ...ASYNC, 'idempotency-key': value },
      });
      expect(answer.status).toBe(400);
      expect(answer.body).toEqual({
        ...ERROR_SHAPE,
        statusCode: 400,
        message: expect.stringContaining('Idempotency-Key'),
      });
      expect(await placements(cafe)).toBe(0);
      expect((await placeAsync({ 'idempotency-key': 'k'.repeat(200) })).status).toBe(202);
    });
  },
);

describe.each(HTTP_ADAPTERS)('an order’s position on %s', (adapter) => {
  it.each([
    // fifo: by placement; fair: addresses in turn, each its oldest order.
    ['fifo', [1, 2, 3]],
    ['fair', [1, 3, 2]],
  ])('is the place in the order baristas take them under QUEUE_POLICY=%s', async (policy, want) => {
    const cafe = await TestCafe.start(adapter, { QUEUE_POLICY: policy as string });
    try {
      const ids: string[] = [];
      for (const address of ['127.0.5.1', '127.0.5.1', '127.0.5.2']) {
        const placed = await cafe.customer('POST', '/order/', {
          headers: ASYNC,
          localAddress: address,
        });
        ids.push(placed.body.order_id);
      }
      const positions: number[] = [];
      for (const id of ids)
        positions.push((await cafe.customer('GET', `/orders/${id}`)).body.position);
      expect(positions).toEqual(want);

      // Baristas then take them in the order of those positions.
      const byPosition: string[] = [];
      ids.forEach((id, i) => (byPosition[positions[i] - 1] = id));
      const taken: string[] = [];
      while (taken.length < ids.length) {
        taken.push((await cafe.barista('GET', '/start/')).body.order_id);
      }
      expect(taken).toEqual(byPosition);
    } finally {
      await cafe.close();
    }
  });
});

async function placements(cafe: TestCafe): Promise<number> {
  return [...(await cafe.cafe.core.get(EventStore).readAll())].filter(
    ({ event }) => event.type === 'OrderPlaced',
  ).length;
}
