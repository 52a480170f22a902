import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventStore } from '@cafe/ordering';
import { HTTP_ADAPTERS, TestCafe } from './support/cafe-harness';
import { eventually } from './support/http-client';

/** Everything a client or an operator can see, plus the log itself. */
async function snapshot(cafe: TestCafe, orderIds: string[]) {
  const orders = [];
  for (const id of orderIds) orders.push((await cafe.customer('GET', `/orders/${id}`)).body);
  const { body: queue } = await cafe.barista('GET', '/queue');
  delete queue.oldest_queued_age_seconds; // a clock, not state
  return { orders, queue, log: [...(await cafe.cafe.core.get(EventStore).readAll())] };
}

describe.each(HTTP_ADAPTERS)('a café on a SQLite log, restarted (%s)', (adapter) => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'cafe-restart-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('comes back in exactly the state it stopped in, and goes on from there', async () => {
    const env = { EVENT_STORE: `sqlite:${join(dir, 'orders.db')}` };
    const before = await TestCafe.start(adapter, env);
    const orderIds: string[] = [];
    for (let i = 0; i < 6; i++) {
      const placed = await before.customer('POST', '/order/', {
        headers: { prefer: 'respond-async', 'idempotency-key': `key-${i}` },
      });
      orderIds.push(placed.body.order_id);
    }
    const leaving = new AbortController();
    await before.order({ signal: leaving.signal });
    leaving.abort(); // cancelled: customer left
    for (let i = 0; i < 3; i++) await before.barista('GET', '/start/');
    await before.barista('POST', `/finish/?order_id=${orderIds[0]}`);
    await eventually(async () => (await before.queued()) === 3);
    const stopped = await snapshot(before, orderIds);
    await before.close();

    const after = await TestCafe.start(adapter, env);
    try {
      expect(await snapshot(after, orderIds)).toEqual(stopped);
      expect(stopped.log.length).toBeGreaterThan(10);
      const again = await after.customer('POST', '/order/', {
        headers: { prefer: 'respond-async', 'idempotency-key': 'key-5' },
      });
      expect(again.body).toMatchObject({ order_id: orderIds[5], status: 'queued', position: 3 });
      expect((await after.barista('GET', '/start/')).body.order_id).toBe(orderIds[3]);
    } finally {
      await after.close();
    }
  });
});
