import { CommandBus } from '@nestjs/cqrs';
import { CutOffAddressCommand, EventStore, type StoredEvent } from '@cafe/ordering';
import { HTTP_ADAPTERS, TestCafe } from './support/cafe-harness';
import { eventually, isSettled } from './support/http-client';
import {
  createTestDatabase,
  describeWithPostgres,
  type TestDatabase,
} from './support/postgres-database';

const ASYNC = { prefer: 'respond-async' };

describeWithPostgres().each(HTTP_ADAPTERS)('three cafés on one PostgreSQL log (%s)', (adapter) => {
  let database: TestDatabase;
  let cafes: TestCafe[];
  const start = (env: Record<string, string> = {}) =>
    Promise.all(
      [0, 1, 2].map(() => TestCafe.start(adapter, { EVENT_STORE: database.url, ...env })),
    );

  beforeEach(async () => {
    database = await createTestDatabase();
    cafes = [];
  });
  afterEach(async () => {
    await Promise.all(cafes.map((cafe) => cafe.close()));
    await database.drop();
  }, 30_000);

  const log = (cafe: TestCafe) => cafe.cafe.core.get(EventStore).readAll();
  const ofType = (events: readonly StoredEvent[], type: string) =>
    events.filter(({ event }) => event.type === type);
  const place = (cafe: TestCafe, headers: Record<string, string> = {}) =>
    cafe.customer('POST', '/order/', { headers: { ...ASYNC, ...headers } });

  it('releases a customer waiting on one café when a barista finishes on another', async () => {
    cafes = await start();
    const [a, b, c] = cafes;
    const reply = a.customer('POST', '/order/');
    await eventually(async () => (await b.queued()) === 1);
    const started = await b.barista('GET', '/start/');
    expect(started.status).toBe(200);
    expect(await isSettled(reply)).toBe(false);
    const finished = await c.barista('POST', `/finish/?order_id=${started.body.order_id}`);
    expect(finished.status).toBe(200);
    expect(await reply).toMatchObject({
      status: 200,
      body: { order_id: started.body.order_id, status: 'ready' },
    });
  });

  it('hands 15 queued orders to 30 baristas spread over the cafés once each, then 404', async () => {
    cafes = await start();
    for (let i = 0; i < 15; i++) expect((await place(cafes[i % 3])).status).toBe(202);
    await Promise.all(cafes.map((cafe) => eventually(async () => (await cafe.queued()) === 15)));
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) => cafes[i % 3].barista('GET', '/start/')),
    );
    const started = answers.filter(({ status }) => status === 200);
    expect(answers.filter(({ status }) => status === 404)).toHaveLength(15);
    expect(new Set(started.map(({ body }) => body.order_id)).size).toBe(15);
    expect(ofType(await log(cafes[0]), 'OrderStarted')).toHaveLength(15);
  });

  it.each(['fifo', 'fair'])(
    'gives a barista moving between cafés the orders oldest first under QUEUE_POLICY=%s',
    async (policy) => {
      cafes = await start({ QUEUE_POLICY: policy });
      const placed: string[] = [];
      for (let i = 0; i < 9; i++) placed.push((await place(cafes[i % 3])).body.order_id);
      const taken: string[] = [];
      for (let i = 0; i < 9; i++) {
        const started = await cafes[(i + 1) % 3].barista('GET', '/start/');
        taken.push(started.body.order_id);
      }
      expect(taken).toEqual(placed);
    },
  );

  it('places one order for one Idempotency-Key sent to two cafés at once; the key re-attaches on the third', async () => {
    cafes = await start();
    const key = { 'idempotency-key': 'one-americano-please' };
    const [first, second] = await Promise.all([place(cafes[0], key), place(cafes[1], key)]);
    expect([first.status, second.status]).toEqual([202, 202]);
    expect(second.body.order_id).toBe(first.body.order_id);
    const again = await place(cafes[2], key);
    expect(again.body.order_id).toBe(first.body.order_id);
    expect(ofType(await log(cafes[2]), 'OrderPlaced')).toHaveLength(1);
  });

  it('serves the same events, page and order from every café', async () => {
    cafes = await start();
    const { body } = await place(cafes[0]);
    await cafes[1].barista('GET', '/start/');
    const pages = await Promise.all(
      cafes.map(async (cafe) => {
        await eventually(
          async () => (await cafe.barista('GET', '/events')).body.events.length === 2,
        );
        return (await cafe.barista('GET', '/events')).body;
      }),
    );
    expect(pages[1]).toEqual(pages[0]);
    expect(pages[2]).toEqual(pages[0]);
    const order = await cafes[2].customer('GET', `/orders/${body.order_id}`);
    expect(order.body).toMatchObject({ order_id: body.order_id, status: 'brewing' });
  });

  it('finds an order on every café right after another café placed it, and still answers 404 for an unknown one', async () => {
    cafes = await start();
    for (let i = 0; i < 5; i++) {
      const { body } = await place(cafes[i % 3]);
      const elsewhere = await Promise.all(
        [1, 2].map((n) => cafes[(i + n) % 3].customer('GET', `/orders/${body.order_id}`)),
      );
      for (const answer of elsewhere) {
        expect(answer).toMatchObject({ status: 200, body: { order_id: body.order_id } });
      }
    }
    const unknown = await cafes[0].customer('GET', '/orders/7d0a7c35-3c36-4a52-9a8f-9d1c2f4f0e11');
    expect(unknown.status).toBe(404);
  });

  it('requeues an expired brew once, however many cafés notice', async () => {
    cafes = await start({ BREW_LEASE_SECONDS: '0.2' });
    const { body } = await place(cafes[0]);
    expect((await cafes[1].barista('GET', '/start/')).body.order_id).toBe(body.order_id);
    await eventually(async () => ofType(await log(cafes[2]), 'OrderRequeued').length > 0);
    // Long enough for every café's timer to have fired.
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const cafe of cafes) {
      await cafe.cafe.core.get(EventStore).caughtUp();
      expect(ofType(await log(cafe), 'OrderRequeued')).toHaveLength(1);
    }
  });

  it("cancels a cut-off address's queued orders once when every café cuts it off", async () => {
    cafes = await start();
    for (let i = 0; i < 12; i++) await place(cafes[i % 3]);
    await Promise.all(cafes.map((cafe) => eventually(async () => (await cafe.queued()) === 12)));
    const counts = await Promise.all(
      cafes.map((cafe) =>
        cafe.cafe.core.get(CommandBus).execute(new CutOffAddressCommand('127.0.0.1')),
      ),
    );
    expect(counts.reduce((sum, n) => sum + n, 0)).toBe(12);
    await cafes[0].cafe.core.get(EventStore).caughtUp();
    expect(ofType(await log(cafes[0]), 'OrderCancelled')).toHaveLength(12);
  });
});
