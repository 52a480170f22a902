import { HTTP_ADAPTERS, TestCafe } from './support/cafe-harness';
import { call, eventually, isSettled } from './support/http-client';
import { RawConnection } from './support/raw-http';

describe.each(HTTP_ADAPTERS)('draining on %s', (adapter) => {
  let cafe: TestCafe;

  beforeEach(async () => {
    cafe = await TestCafe.start(adapter);
  });

  afterEach(() => cafe.close());

  async function expectBothPortsClosed(): Promise<void> {
    await expect(call(cafe.cafe.customerPort, 'GET', '/')).rejects.toThrow(/ECONNREFUSED/);
    await expect(call(cafe.cafe.baristaPort, 'GET', '/queue')).rejects.toThrow(/ECONNREFUSED/);
  }

  it('refuses new orders but serves what is queued or brewing, then closes both ports', async () => {
    const brewing = await cafe.order({ localAddress: '127.0.4.1' });
    const started = await cafe.barista('GET', '/start/');
    const queued = await cafe.order({ localAddress: '127.0.4.2' });

    const drained = cafe.cafe.drain(30_000);

    const refused = await cafe.customer('POST', '/order/', { localAddress: '127.0.4.3' });
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('5');
    expect(refused.body).toEqual({
      statusCode: 503,
      error: 'Service Unavailable',
      message: expect.stringMatching(/closing/),
    });
    expect(await cafe.queued()).toBe(1);
    // New customers are sent elsewhere; the baristas' app stays ready for the work left.
    const customerReady = await cafe.customer('GET', '/health');
    expect(customerReady.status).toBe(503);
    expect(customerReady.body.message).toEqual(['orders: draining']);
    expect((await cafe.barista('GET', '/health')).status).toBe(200);

    const next = await cafe.barista('GET', '/start/');
    expect(next.status).toBe(200);
    expect((await cafe.barista('POST', `/finish/?order_id=${started.body.order_id}`)).status).toBe(
      200,
    );
    const first = await brewing.reply;
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ order_id: started.body.order_id, status: 'ready' });
    expect(await isSettled(drained)).toBe(false); // the second order is still brewing

    await cafe.barista('POST', `/finish/?order_id=${next.body.order_id}`);
    expect((await queued.reply).status).toBe(200);
    expect(await drained).toBe('served');
    await expectBothPortsClosed();
  });

  it('ends at once when nothing is queued or brewing', async () => {
    // Well inside Jest's 5 s limit: a drain that waited for its timeout would fail the test.
    expect(await cafe.cafe.drain(60_000)).toBe('served');
    await expectBothPortsClosed();
  });

  it('ends early when the café is closed outright during the drain', async () => {
    const { reply } = await cafe.order();
    const drained = cafe.cafe.drain(30_000);
    await cafe.close();
    expect(await drained).toBe('timed_out');
    expect((await reply).status).toBe(503);
    await expectBothPortsClosed();
  });

  it('after the timeout, answers every order pipelined on one connection, then closes it', async () => {
    const connection = await RawConnection.open(cafe.cafe.customerPort, '127.0.4.5');
    const order = 'POST /order/ HTTP/1.1\r\nHost: localhost\r\n\r\n';
    connection.write(order.repeat(2));
    await eventually(async () => (await cafe.queued()) === 2);

    expect(await cafe.cafe.drain(1000)).toBe('timed_out');
    await connection.closedByServer();
    const statuses = [...connection.text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map(
      ([, status]) => status,
    );
    expect(statuses).toEqual(['503', '503']);
    await expectBothPortsClosed();
  });

  it('after the timeout, answers the customers still waiting 503 and closes both ports', async () => {
    const { reply } = await cafe.order();
    await cafe.barista('GET', '/start/');
    const waiting = await cafe.order({ localAddress: '127.0.4.4' });

    expect(await cafe.cafe.drain(300)).toBe('timed_out');
    for (const answer of [await reply, await waiting.reply]) {
      expect(answer.status).toBe(503);
      expect(answer.headers['retry-after']).toBe('5');
    }
    await expectBothPortsClosed();
  });
});
