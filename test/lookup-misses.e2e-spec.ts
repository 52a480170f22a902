import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventStore } from '@cafe/ordering';
import { OrderStates } from '../libs/ordering/src/orders/order-states';
import { HTTP_ADAPTERS, TestCafe } from './support/cafe-harness';

const SCANNER = '127.0.4.4';
const REGULAR = '127.0.5.5';
const MISSES_PER_MINUTE = 5;

/**
 * `GET /orders/{id}` of an id not in memory reads the log; an address looking up ids that do
 * not exist is refused after LOOKUP_MISSES_PER_MINUTE of them, without reading it, while other
 * addresses, and orders held in memory, are answered as ever. On SQLite, so that a lookup of an
 * order that left memory is a real read of its stream.
 */
describe.each(HTTP_ADAPTERS)('lookups of unknown orders on SQLite (%s)', (adapter) => {
  let dir: string;
  let cafe: TestCafe;

  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'cafe-lookups-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  beforeEach(async () => {
    cafe = await TestCafe.start(adapter, {
      EVENT_STORE: `sqlite:${join(dir, `${randomUUID()}.db`)}`,
      // One settled order in memory: the regular's first leaves it when the second settles.
      RECENT_ORDERS_KEPT: '1',
      LOOKUP_MISSES_PER_MINUTE: String(MISSES_PER_MINUTE),
    });
  });

  afterEach(() => cafe.close());

  const lookUp = (id: string, localAddress: string) =>
    cafe.customer('GET', `/orders/${id}`, { localAddress });

  /** The regular orders (respond-async) and a barista serves it: the order as its customer sees it. */
  const serveRegular = async (): Promise<{ id: string; body: unknown }> => {
    const placed = await cafe.customer('POST', '/order/', {
      headers: { prefer: 'respond-async' },
      localAddress: REGULAR,
    });
    const id = placed.body.order_id as string;
    expect((await cafe.barista('GET', '/start/')).body.order_id).toBe(id);
    expect((await cafe.barista('POST', `/finish/?order_id=${id}`)).status).toBe(200);
    const { body } = await lookUp(id, REGULAR);
    expect(body).toMatchObject({ order_id: id, status: 'ready' });
    return { id, body };
  };

  const throttled = async (): Promise<number> => {
    const { body } = await cafe.barista('GET', '/metrics');
    const line = /^cafe_throttled_requests_total\{throttler="lookup_misses"\} (\d+)$/m.exec(body);
    return Number(line?.[1] ?? 0);
  };

  it('refuses an address scanning unknown ids with 429 before reading the log, and serves every other', async () => {
    const old = await serveRegular();
    const recent = await serveRegular();
    const orders = cafe.cafe.core.get(OrderStates);
    expect(orders.get(old.id)).toBeUndefined();
    expect(orders.get(recent.id)).toBeDefined();
    const streamReads = jest.spyOn(cafe.cafe.core.get(EventStore), 'readStream');

    for (let i = 0; i < MISSES_PER_MINUTE; i++) {
      expect((await lookUp(randomUUID(), SCANNER)).status).toBe(404);
    }
    const refused = await lookUp(randomUUID(), SCANNER);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(55);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(refused.body).toEqual({
      statusCode: 429,
      error: 'Too Many Requests',
      message:
        'too many lookups of orders that do not exist from your address; it is refused for a while',
    });
    expect(streamReads).toHaveBeenCalledTimes(MISSES_PER_MINUTE + 1);

    // Refused without a read: unknown ids and the order that left memory alike...
    expect((await lookUp(randomUUID(), SCANNER)).status).toBe(429);
    expect((await lookUp(old.id, SCANNER)).status).toBe(429);
    expect(streamReads).toHaveBeenCalledTimes(MISSES_PER_MINUTE + 1);
    // ... but an order held in memory is answered, whoever asks.
    expect((await lookUp(recent.id, SCANNER)).body).toEqual(recent.body);
    expect(await throttled()).toBe(3);

    // Another address: its own orders, from memory and from the log, as often as it likes, and
    // the 404 of an unknown id.
    for (let i = 0; i < 2 * MISSES_PER_MINUTE; i++) {
      const fromLog = await lookUp(old.id, REGULAR);
      expect({ status: fromLog.status, body: fromLog.body }).toEqual({
        status: 200,
        body: old.body,
      });
    }
    expect((await lookUp(recent.id, REGULAR)).body).toEqual(recent.body);
    const unknown = await lookUp(randomUUID(), REGULAR);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
    expect(orders.get(old.id)).toBeUndefined();
    expect(streamReads).toHaveBeenCalledTimes(MISSES_PER_MINUTE + 1 + 2 * MISSES_PER_MINUTE + 1);
    expect(await throttled()).toBe(3);
  });
});
