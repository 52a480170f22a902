import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { EventStore, WaitingCustomers } from '@cafe/ordering';
import { HTTP_ADAPTERS, TestCafe } from './support/cafe-harness';
import { eventually, isSettled } from './support/http-client';

const ERROR_SHAPE = {
  statusCode: expect.any(Number),
  error: expect.any(String),
  message: expect.anything(),
};

describe.each(HTTP_ADAPTERS)('the café on %s', (adapter) => {
  let cafe: TestCafe;

  beforeEach(async () => {
    cafe = await TestCafe.start(adapter);
  });

  afterEach(() => cafe.close());

  it('shares one core between both apps', () => {
    const { core, customer, barista } = cafe.cafe;
    for (const token of [CommandBus, QueryBus, WaitingCustomers]) {
      expect(customer.get(token)).toBe(core.get(token));
      expect(barista.get(token)).toBe(core.get(token));
    }
  });

  it('holds the order open until a barista finishes it, then answers 200 with the order', async () => {
    const { reply } = await cafe.order({ json: { drink: 'americano' } });

    const started = await cafe.barista('GET', '/start/');
    expect(started.status).toBe(200);
    expect(started.body).toMatchObject({ drink: 'americano', status: 'brewing' });
    expect(await isSettled(reply)).toBe(false);

    const finished = await cafe.barista('POST', `/finish/?order_id=${started.body.order_id}`);
    expect(finished.status).toBe(200);
    expect(finished.body).toMatchObject({ order_id: started.body.order_id, status: 'ready' });

    const ready = await reply;
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({
      order_id: started.body.order_id,
      drink: 'americano',
      status: 'ready',
      placed_at: started.body.placed_at,
      started_at: started.body.started_at,
      finished_at: finished.body.finished_at,
    });
  });

  it('accepts /order, /start and /finish without the trailing slash, and no body at all', async () => {
    const { reply } = await cafe.order({ raw: undefined });
    const started = await cafe.barista('GET', '/start');
    expect(started.status).toBe(200);
    const finished = await cafe.barista('POST', '/finish', {
      json: { order_id: started.body.order_id },
    });
    expect(finished.status).toBe(200);
    expect((await reply).status).toBe(200);

    const noSlash = cafe.customer('POST', '/order');
    await eventually(async () => (await cafe.queued()) === 1);
    const next = await cafe.barista('GET', '/start');
    await cafe.barista('POST', `/finish?order_id=${next.body.order_id}`);
    expect((await noSlash).status).toBe(200);
  });

  it('hands out 20 orders oldest first', async () => {
    const replies = [];
    for (let i = 0; i < 20; i++) {
      replies.push((await cafe.order({ localAddress: `127.0.1.${i + 1}` })).reply);
    }
    const startedIds: string[] = [];
    for (let i = 0; i < 20; i++) {
      const started = await cafe.barista('GET', '/start/');
      startedIds.push(started.body.order_id);
      await cafe.barista('POST', `/finish/?order_id=${started.body.order_id}`);
    }
    const answeredIds = (await Promise.all(replies)).map((reply) => reply.body.order_id);
    expect(startedIds).toEqual(answeredIds);
  });

  it('gives 20 concurrent baristas exactly the 10 queued orders, each once, and 404 to the rest', async () => {
    for (let i = 0; i < 10; i++) await cafe.order();

    const answers = await Promise.all(
      Array.from({ length: 20 }, () => cafe.barista('GET', '/start/')),
    );

    const started = answers.filter((a) => a.status === 200).map((a) => a.body.order_id);
    const empty = answers.filter((a) => a.status === 404);
    expect(started).toHaveLength(10);
    expect(new Set(started).size).toBe(10);
    expect(empty).toHaveLength(10);
    expect(empty[0].body).toEqual({ ...ERROR_SHAPE, statusCode: 404 });
  });

  it('answers 404 on /start/ when nothing is queued', async () => {
    const answer = await cafe.barista('GET', '/start/');
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual({ ...ERROR_SHAPE, statusCode: 404, error: 'Not Found' });
  });

  it('refuses every wrong /finish/', async () => {
    const expectError = async (path: string, status: number, json?: unknown) => {
      const answer = await cafe.barista('POST', path, { json });
      expect({ path, status: answer.status }).toEqual({ path, status });
      expect(answer.body).toEqual({ ...ERROR_SHAPE, statusCode: status });
    };
    await expectError('/finish/', 400);
    await expectError('/finish/?order_id=', 400);
    await expectError('/finish/?order_id=%20%20', 400);
    await expectError('/finish/', 400, { order_id: '  ' });
    await expectError('/finish/?order_id=no-such-order', 404);
    await expectError(`/finish/?order_id=${'x'.repeat(129)}`, 422);
    await expectError('/finish/', 422, { order_id: 42 });
    await expectError('/finish/', 422, { order_id: 'a', extra: true });

    const queued = await cafe.order();
    const [queuedId] = await queuedOrderIds(cafe);
    await expectError(`/finish/?order_id=${queuedId}`, 409);

    await cafe.barista('GET', '/start/');
    expect((await cafe.barista('POST', `/finish/?order_id=${queuedId}`)).status).toBe(200);
    await expectError(`/finish/?order_id=${queuedId}`, 409);
    expect((await queued.reply).status).toBe(200);

    const leaving = new AbortController();
    await cafe.order({ signal: leaving.signal });
    const [cancelledId] = await queuedOrderIds(cafe);
    leaving.abort();
    await eventually(async () => (await cafe.queued()) === 0);
    await expectError(`/finish/?order_id=${cancelledId}`, 409);
  });

  it('never hands a barista the order of a customer who left before it was started', async () => {
    const leaving = new AbortController();
    await cafe.order({ signal: leaving.signal });
    const staying = await cafe.order();
    leaving.abort();
    await eventually(async () => (await cafe.queued()) === 1);

    const started = await cafe.barista('GET', '/start/');
    await cafe.barista('POST', `/finish/?order_id=${started.body.order_id}`);
    expect((await staying.reply).body.order_id).toBe(started.body.order_id);
    expect((await cafe.barista('GET', '/start/')).status).toBe(404);

    const cancelled = [...(await cafe.cafe.core.get(EventStore).readAll())].filter(
      ({ event }) => event.type === 'OrderCancelled',
    );
    expect(cancelled.map(({ event }) => event)).toEqual([
      expect.objectContaining({ reason: 'customer_left' }),
    ]);
  });

  it('finishes an order normally when its customer leaves after it was started', async () => {
    const leaving = new AbortController();
    await cafe.order({ signal: leaving.signal });
    const started = await cafe.barista('GET', '/start/');
    leaving.abort();
    await eventually(() => cafe.cafe.core.get(WaitingCustomers).size === 0);
    const finished = await cafe.barista('POST', `/finish/?order_id=${started.body.order_id}`);
    expect(finished.status).toBe(200);
  });

  it('releases a waiting customer only when their own order is finished', async () => {
    const first = await cafe.order({ localAddress: '127.0.2.1' });
    const second = await cafe.order({ localAddress: '127.0.2.2' });
    const a = await cafe.barista('GET', '/start/');
    const b = await cafe.barista('GET', '/start/');

    await cafe.barista('POST', `/finish/?order_id=${b.body.order_id}`);
    expect((await second.reply).body.order_id).toBe(b.body.order_id);
    expect(await isSettled(first.reply)).toBe(false);

    await cafe.barista('POST', `/finish/?order_id=${a.body.order_id}`);
    expect((await first.reply).body.order_id).toBe(a.body.order_id);
  });

  it('reports the queue', async () => {
    expect((await cafe.barista('GET', '/queue')).body).toEqual({
      queued: 0,
      brewing: 0,
      oldest_queued_age_seconds: null,
    });
    await cafe.order();
    await cafe.order();
    await cafe.barista('GET', '/start/');
    const { body } = await cafe.barista('GET', '/queue');
    expect(body).toEqual({ queued: 1, brewing: 1, oldest_queued_age_seconds: expect.any(Number) });
    expect(body.oldest_queued_age_seconds).toBeGreaterThanOrEqual(0);
  });

  describe('refuses bad input with a JSON error and keeps serving', () => {
    it.each([
      ['another drink', { json: { drink: 'latte' } }, 422],
      ['an unknown field', { json: { drink: 'americano', size: 'XL' } }, 422],
      ['a non-object body', { json: 'americano' }, 422],
      [
        'malformed JSON',
        { raw: '{"drink":', headers: { 'content-type': 'application/json' } },
        400,
      ],
      [
        'a body over 16 KB',
        { json: { drink: 'a'.repeat(17 * 1024) }, headers: { 'content-type': 'application/json' } },
        413,
      ],
    ])('%s', async (_, options, status) => {
      const answer = await cafe.customer('POST', '/order/', options);
      expect(answer.status).toBe(status);
      expect(answer.body).toEqual({ ...ERROR_SHAPE, statusCode: status });
      expect(await cafe.queued()).toBe(0);

      const { reply } = await cafe.order();
      const started = await cafe.barista('GET', '/start/');
      await cafe.barista('POST', `/finish/?order_id=${started.body.order_id}`);
      expect((await reply).status).toBe(200);
    });
  });
});

/** The ids of queued orders, oldest first, read from the log's placements minus what left the queue. */
async function queuedOrderIds(cafe: TestCafe): Promise<string[]> {
  const status = new Map<string, string>();
  for (const { event } of await cafe.cafe.core.get(EventStore).readAll())
    status.set(event.orderId, event.type);
  return [...status].filter(([, type]) => type === 'OrderPlaced').map(([id]) => id);
}
