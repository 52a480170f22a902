import { FLOOD_ADDRESS } from '@cafe/simulation';
import { HTTP_ADAPTERS, TestCafe } from './support/cafe-harness';
import { eventually } from './support/http-client';

jest.setTimeout(30_000);

const CAP = 5;
const ASYNC = { localAddress: FLOOD_ADDRESS, headers: { prefer: 'respond-async' } };

describe.each(HTTP_ADAPTERS)('the waiting cap counts queued orders on %s', (adapter) => {
  let cafe: TestCafe;

  beforeEach(async () => {
    cafe = await TestCafe.start(adapter, { MAX_WAITING_PER_ADDRESS: String(CAP) });
  });

  afterEach(() => cafe.close());

  it('refuses an address 429 once it has the cap queued with Prefer: respond-async, held or not', async () => {
    for (let i = 0; i < CAP; i++)
      expect((await cafe.customer('POST', '/order/', ASYNC)).status).toBe(202);
    // None of those holds a connection any more; they are queued all the same.
    for (const options of [ASYNC, { localAddress: FLOOD_ADDRESS }]) {
      const refused = await cafe.customer('POST', '/order/', options);
      expect(refused.status).toBe(429);
      expect(refused.headers['retry-after']).toBe('60');
      expect(refused.body).toEqual({
        statusCode: 429,
        error: 'Too Many Requests',
        message: `${CAP} orders from your address are already waiting`,
      });
    }
    expect(await cafe.placed()).toBe(CAP);
    // Another address is not affected.
    expect(
      (await cafe.customer('POST', '/order/', { ...ASYNC, localAddress: '127.0.3.3' })).status,
    ).toBe(202);
  });

  it("frees a place when a barista starts one of the address's orders, and takes it for a held order", async () => {
    for (let i = 0; i < CAP - 1; i++) await cafe.customer('POST', '/order/', ASYNC);
    const held = await cafe.order({ localAddress: FLOOD_ADDRESS });
    expect((await cafe.customer('POST', '/order/', ASYNC)).status).toBe(429);

    const started = await cafe.barista('GET', '/start/');
    expect(started.status).toBe(200);
    // Brewing is no longer waiting: the place is free before the order is ready.
    expect((await cafe.customer('POST', '/order/', ASYNC)).status).toBe(202);
    expect((await cafe.customer('POST', '/order/', ASYNC)).status).toBe(429);
    held.reply.catch(() => undefined);
  });

  it('frees the places of a cancelled order and of a request that placed none', async () => {
    for (let i = 0; i < CAP - 1; i++) await cafe.customer('POST', '/order/', ASYNC);
    const invalid = await cafe.customer('POST', '/order/', { ...ASYNC, json: { drink: 'tea' } });
    expect(invalid.status).toBe(422);
    const held = new AbortController();
    cafe
      .customer('POST', '/order/', { localAddress: FLOOD_ADDRESS, signal: held.signal })
      .catch(() => undefined);
    await eventually(async () => (await cafe.placed()) === CAP);
    expect((await cafe.customer('POST', '/order/', ASYNC)).status).toBe(429);
    held.abort(); // the customer hangs up: their order is withdrawn, its place freed
    await eventually(async () => (await cafe.customer('POST', '/order/', ASYNC)).status === 202);
    expect(await cafe.placed()).toBe(CAP + 1);
  });
});
