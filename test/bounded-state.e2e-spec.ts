import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OrderStates } from '../libs/ordering/src/orders/order-states';
import { HTTP_ADAPTERS, TestCafe } from './support/cafe-harness';
import { eventually } from './support/http-client';
import { createTestDatabase, describeWithPostgres } from './support/postgres-database';

/** The views keep one settled order: the next one settled pushes the previous out. */
const SMALL_WINDOW = { RECENT_ORDERS_KEPT: '1' };

const keyed = (key: string) => ({ headers: { prefer: 'respond-async', 'idempotency-key': key } });

/** Places an order under `key`, starts and finishes it: the customer's view of it, ready. */
async function serveKeyed(cafe: TestCafe, key: string): Promise<{ id: string; body: unknown }> {
  const id = (await cafe.customer('POST', '/order/', keyed(key))).body.order_id as string;
  expect((await cafe.barista('GET', '/start/')).body.order_id).toBe(id);
  expect((await cafe.barista('POST', `/finish/?order_id=${id}`)).status).toBe(200);
  const { body } = await cafe.customer('GET', `/orders/${id}`);
  expect(body).toMatchObject({ order_id: id, status: 'ready' });
  return { id, body };
}

const heldInMemory = (cafe: TestCafe, id: string) =>
  cafe.cafe.core.get(OrderStates).get(id) !== undefined;

/**
 * A durable store keeps every order: one that left the views is answered from its stream in
 * the log, exactly as before, re-attached by its key, also after a restart.
 */
function durableStoreRetention(store: string, eventStore: () => Promise<string>): void {
  describe.each(HTTP_ADAPTERS)(`bounded state on ${store} (%s)`, (adapter) => {
    it('answers an order that left memory from the log, exactly as before, and re-attaches its key', async () => {
      const env = { EVENT_STORE: await eventStore(), ...SMALL_WINDOW };
      const cafe = await TestCafe.start(adapter, env);
      let old: { id: string; body: unknown };
      try {
        old = await serveKeyed(cafe, 'old');
        await serveKeyed(cafe, 'newer');
        expect(heldInMemory(cafe, old.id)).toBe(false);
        expect((await cafe.customer('GET', `/orders/${old.id}`)).body).toEqual(old.body);
        const again = await cafe.customer('POST', '/order/', keyed('old'));
        expect(again.status).toBe(200);
        expect(again.body).toEqual(old.body);
        // Held (no respond-async): answered at once, the order being ready.
        const held = await cafe.customer('POST', '/order/', {
          headers: { 'idempotency-key': 'old' },
        });
        expect(held.body).toMatchObject({ order_id: old.id, status: 'ready' });
        // A command to it is decided on its stream: 409 as before, not 404.
        expect((await cafe.barista('POST', `/finish/?order_id=${old.id}`)).status).toBe(409);
        expect(await cafe.placed()).toBe(2);
      } finally {
        await cafe.close();
      }

      const restarted = await TestCafe.start(adapter, env);
      try {
        expect(heldInMemory(restarted, old.id)).toBe(false);
        expect((await restarted.customer('GET', `/orders/${old.id}`)).body).toEqual(old.body);
        expect((await restarted.customer('POST', '/order/', keyed('old'))).body).toEqual(old.body);
        expect(await restarted.placed()).toBe(2);
      } finally {
        await restarted.close();
      }
    });

    it('restarts on the live orders: queued, brewing with its lease, and the long finished ones from the log', async () => {
      const env = { EVENT_STORE: await eventStore(), ...SMALL_WINDOW };
      const cafe = await TestCafe.start(adapter, env);
      const ids: string[] = [];
      let before: unknown[];
      try {
        ids.push(
          (await serveKeyed(cafe, 'finished-1')).id,
          (await serveKeyed(cafe, 'finished-2')).id,
        );
        for (const key of ['brewing', 'queued-1', 'queued-2']) {
          ids.push((await cafe.customer('POST', '/order/', keyed(key))).body.order_id);
        }
        expect((await cafe.barista('GET', '/start/')).body.order_id).toBe(ids[2]);
        before = await Promise.all(
          ids.map(async (id) => (await cafe.customer('GET', `/orders/${id}`)).body),
        );
      } finally {
        await cafe.close();
      }

      const restarted = await TestCafe.start(adapter, env);
      try {
        expect(heldInMemory(restarted, ids[0])).toBe(false);
        const after = await Promise.all(
          ids.map(async (id) => (await restarted.customer('GET', `/orders/${id}`)).body),
        );
        expect(after).toEqual(before);
        expect((await restarted.barista('GET', '/queue')).body).toMatchObject({
          queued: 2,
          brewing: 1,
        });
        expect((await restarted.barista('GET', '/start/')).body.order_id).toBe(ids[3]);
        expect((await restarted.barista('POST', `/finish/?order_id=${ids[2]}`)).status).toBe(200);
      } finally {
        await restarted.close();
      }
    });

    it('requeues at once a lease that ran out while the café was down', async () => {
      const env = { EVENT_STORE: await eventStore(), BREW_LEASE_SECONDS: '0.5' };
      const cafe = await TestCafe.start(adapter, env);
      let id: string;
      try {
        id = (await cafe.customer('POST', '/order/', keyed('lease'))).body.order_id;
        expect((await cafe.barista('GET', '/start/')).status).toBe(200);
      } finally {
        await cafe.close();
      }
      await new Promise((resolve) => setTimeout(resolve, 800));
      const restarted = await TestCafe.start(adapter, env);
      try {
        await eventually(
          async () => (await restarted.customer('GET', `/orders/${id}`)).body.status === 'queued',
          10_000,
        );
      } finally {
        await restarted.close();
      }
    });
  });
}

describe('bounded state on SQLite', () => {
  let dir: string;
  let n = 0;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'cafe-bounded-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  durableStoreRetention('SQLite', async () => `sqlite:${join(dir, `${++n}.db`)}`);
});

describeWithPostgres()('bounded state on PostgreSQL', () => {
  const dropped: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const drop of dropped) await drop();
  }, 60_000);
  durableStoreRetention('PostgreSQL', async () => {
    const database = await createTestDatabase();
    dropped.push(() => database.drop());
    return database.url;
  });
});

describe.each(HTTP_ADAPTERS)('the memory store past its retention (%s)', (adapter) => {
  it('answers 404 saying the order is older than what this café keeps', async () => {
    const cafe = await TestCafe.start(adapter, { ...SMALL_WINDOW, EVENTS_KEPT: '4' });
    try {
      const old = await serveKeyed(cafe, 'old');
      await serveKeyed(cafe, 'newer'); // 3 events: the old order's last one is still kept
      expect((await cafe.customer('GET', `/orders/${old.id}`)).body).toEqual(old.body);
      await serveKeyed(cafe, 'newest');
      const gone = await cafe.customer('GET', `/orders/${old.id}`);
      expect(gone.status).toBe(404);
      expect(gone.body).toEqual({
        statusCode: 404,
        error: 'Not Found',
        message: `order ${old.id} does not exist or is older than what this café keeps (the live orders and the last 4 events in memory)`,
      });
      expect((await cafe.barista('POST', `/finish/?order_id=${old.id}`)).status).toBe(404);
    } finally {
      await cafe.close();
    }
  });

  it('forgets Idempotency-Keys past IDEMPOTENCY_KEYS_KEPT: the key places a new order', async () => {
    const cafe = await TestCafe.start(adapter, { IDEMPOTENCY_KEYS_KEPT: '1' });
    try {
      const first = await serveKeyed(cafe, 'first');
      expect((await cafe.customer('POST', '/order/', keyed('first'))).body).toEqual(first.body);
      await serveKeyed(cafe, 'second');
      const again = await cafe.customer('POST', '/order/', keyed('first'));
      expect(again.status).toBe(202);
      expect(again.body.order_id).not.toBe(first.id);
    } finally {
      await cafe.close();
    }
  });
});
