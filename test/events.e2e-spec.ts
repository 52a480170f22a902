import { EventStore, OrderPlaced } from '@cafe/ordering';
import { EventsController } from '../libs/barista/src/events/events.controller';
import { HTTP_ADAPTERS, TestCafe } from './support/cafe-harness';
import { eventually } from './support/http-client';
import { SseClient } from './support/sse-client';

const ERROR_SHAPE = {
  statusCode: expect.any(Number),
  error: expect.any(String),
  message: expect.anything(),
};

/** Places an order, starts and finishes it: three events. Resolves with its id. */
async function serveOne(cafe: TestCafe): Promise<string> {
  const { reply } = await cafe.order();
  const started = await cafe.barista('GET', '/start/');
  await cafe.barista('POST', `/finish/?order_id=${started.body.order_id}`);
  await reply;
  return started.body.order_id;
}

describe.each(HTTP_ADAPTERS)('the event history and stream on %s', (adapter) => {
  let cafe: TestCafe;
  const streams: SseClient[] = [];
  const openStream = async (path = '/events/stream', headers?: Record<string, string>) => {
    const stream = await SseClient.open(cafe.cafe.baristaPort, path, headers);
    streams.push(stream);
    return stream;
  };

  beforeEach(async () => {
    cafe = await TestCafe.start(adapter, {}, { barista: { eventStream: { heartbeatMs: 50 } } });
  });

  afterEach(async () => {
    for (const stream of streams.splice(0)) stream.close();
    await cafe.close();
  });

  it('pages through the log oldest first with a cursor', async () => {
    const first = await serveOne(cafe);
    const second = await serveOne(cafe);

    const page = await cafe.barista('GET', '/events?limit=4');
    expect(page.status).toBe(200);
    expect(page.body.events.map((e: { position: number }) => e.position)).toEqual([1, 2, 3, 4]);
    expect(page.body.events[0]).toEqual({
      position: 1,
      type: 'OrderPlaced',
      order_id: first,
      at: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
      // held_by: the process whose connection held the customer (docs/operations.md).
      data: { drink: 'americano', client_address: '127.0.0.1', held_by: expect.any(String) },
    });
    expect(page.body.events.slice(1, 4).map((e: { type: string }) => e.type)).toEqual([
      'OrderStarted',
      'OrderFinished',
      'OrderPlaced',
    ]);
    expect(page.body.next_after).toBe(4);
    expect(page.body.next).toBe('/events?after=4&limit=4');

    const rest = await cafe.barista('GET', page.body.next);
    expect(rest.body.events.map((e: { order_id: string }) => e.order_id)).toEqual([second, second]);
    expect(rest.body).toMatchObject({ next_after: 6, next: null });

    const everything = await cafe.barista('GET', '/events');
    expect(everything.body.events).toHaveLength(6);
  });

  it('keeps to a time window: from inclusive, to exclusive', async () => {
    await serveOne(cafe);
    await serveOne(cafe);
    const all = (await cafe.barista('GET', '/events')).body.events;
    const fourth = all[3].at;
    const fromFourth = await cafe.barista('GET', `/events?from=${fourth}`);
    expect(fromFourth.body.events[0].position).toBeLessThanOrEqual(4);
    expect(fromFourth.body.events.every((e: { at: string }) => e.at >= fourth)).toBe(true);
    expect(fromFourth.body.events.at(-1).position).toBe(6);

    const beforeFourth = await cafe.barista('GET', `/events?to=${fourth}`);
    expect(beforeFourth.body.events.every((e: { at: string }) => e.at < fourth)).toBe(true);
    expect(beforeFourth.body.events.length + fromFourth.body.events.length).toBe(6);

    const future = await cafe.barista('GET', '/events?from=2999-01-01T00:00:00Z');
    expect(future.body).toEqual({ events: [], next_after: 6, next: null });
  });

  it.each([
    ['limit=0', 422],
    ['limit=1001', 422],
    ['limit=ten', 422],
    ['after=-1', 422],
    ['after=1.5', 422],
    ['from=yesterday', 422],
    ['to=2026-13-45T00:00:00Z', 422],
    ['colour=red', 422],
    ['from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z', 400],
  ])('refuses /events?%s with %i', async (query, status) => {
    const answer = await cafe.barista('GET', `/events?${query}`);
    expect(answer.status).toBe(status);
    expect(answer.body).toEqual({ ...ERROR_SHAPE, statusCode: status });
  });

  it('refuses a stream with a bad position', async () => {
    const badHeader = await cafe.barista('GET', '/events/stream', {
      headers: { 'last-event-id': 'abc' },
    });
    expect(badHeader.status).toBe(400);
    expect(badHeader.body).toEqual({ ...ERROR_SHAPE, statusCode: 400 });
    const badQuery = await cafe.barista('GET', '/events/stream?after=-3');
    expect(badQuery.status).toBe(422);
  });

  it('streams each new event with its position as id, as /events shows it', async () => {
    await serveOne(cafe);
    const stream = await openStream();
    expect(stream.response.headers['content-type']).toMatch(/^text\/event-stream/);
    const orderId = await serveOne(cafe);

    const received = await stream.received(3);
    expect(received.map(({ id, event }) => [id, event])).toEqual([
      ['4', 'OrderPlaced'],
      ['5', 'OrderStarted'],
      ['6', 'OrderFinished'],
    ]);
    const logged = (await cafe.barista('GET', '/events?after=3')).body.events;
    expect(received.map(({ data }) => data)).toEqual(logged);
    expect(logged[0].order_id).toBe(orderId);
  });

  it('resumes after Last-Event-ID (or ?after=), replaying what was missed, then goes on live', async () => {
    await serveOne(cafe);
    await serveOne(cafe);

    const resumed = await openStream('/events/stream?after=1', { 'last-event-id': '4' });
    const fromStart = await openStream('/events/stream?after=0');
    await resumed.received(2);
    await serveOne(cafe);

    const ids = (stream: SseClient) => stream.events.map(({ id }) => Number(id));
    await resumed.received(5);
    expect(ids(resumed)).toEqual([5, 6, 7, 8, 9]);
    await fromStart.received(9);
    expect(ids(fromStart)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('sends a heartbeat comment on a quiet stream', async () => {
    const stream = await openStream();
    await eventually(() => stream.comments >= 2);
    expect(stream.events).toEqual([]);
  });

  it('ends open streams when the café closes', async () => {
    const stream = await openStream();
    await cafe.close();
    await new Promise((resolve) => stream.response.once('close', resolve));
    expect(stream.response.complete).toBe(true);
  });

  it('opens no stream once the café is closing: it would hold the closing server open', async () => {
    cafe.cafe.barista.get(EventsController).onModuleDestroy();
    const refused = await cafe.barista('GET', '/events/stream');
    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({ ...ERROR_SHAPE, message: 'the café is closing' });
  });

  it('drops a reader that stops reading instead of buffering for it without bound', async () => {
    await cafe.close();
    const maxBufferedBytes = 64 * 1024;
    cafe = await TestCafe.start(adapter, {}, { barista: { eventStream: { maxBufferedBytes } } });
    const server = cafe.cafe.barista.getHttpServer();
    const connections = () =>
      new Promise<number>((resolve, reject) =>
        server.getConnections((error: Error | null, count: number) =>
          error ? reject(error) : resolve(count),
        ),
      );

    const slow = await openStream();
    slow.response.pause();
    expect(await connections()).toBe(1);

    // Some 250 bytes an event: far more than the bound plus what the kernel's socket buffers hold.
    const store = cafe.cafe.core.get(EventStore);
    let appended = 0;
    while ((await connections()) > 0 && appended < 200_000) {
      for (let i = 0; i < 1000; i++, appended++) {
        void store.append(
          `o${appended}`,
          [new OrderPlaced(`o${appended}`, 'americano', '127.0.0.1', 1)],
          0,
        );
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await connections()).toBe(0);

    slow.response.resume();
    await new Promise((resolve) => slow.response.once('close', resolve));
    expect(slow.response.complete).toBe(false);
    expect(slow.events.length).toBeLessThan(appended);

    // The app goes on serving, and a fresh reader resumes where the dropped one stopped.
    const again = await openStream('/events/stream', {
      'last-event-id': slow.events.at(-1)?.id ?? '0',
    });
    await again.received(appended - slow.events.length);
    expect(Number(again.events.at(-1)?.id)).toBe(appended);
  });
});
