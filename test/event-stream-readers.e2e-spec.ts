import { connect, type Socket } from 'node:net';
import { EventStore, OrderPlaced } from '@cafe/ordering';
import { HTTP_ADAPTERS, TestCafe } from './support/cafe-harness';
import { call, eventually } from './support/http-client';

jest.setTimeout(60_000);

const READERS = 4;
const PER_ADDRESS = 2;
const SILENT = '127.0.8.8';

/**
 * Opens `GET /events/stream` from `localAddress` and reads only the status line: the reader then
 * never reads again, as a client that stalls or a flooder would.
 */
function openSilentReader(
  port: number,
  localAddress: string,
): Promise<{ status: number; socket: Socket }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, localAddress }, () => {
      socket.write('GET /events/stream HTTP/1.1\r\nHost: cafe\r\n\r\n');
    });
    socket.once('error', reject);
    socket.once('data', (chunk) => {
      socket.pause();
      socket.on('error', () => undefined); // a dropped reader is what the test wants
      resolve({
        status: Number(/^HTTP\/1\.1 (\d{3})/.exec(chunk.toString('latin1'))?.[1]),
        socket,
      });
    });
  });
}

/** Resolves once the server has hung up on `socket`: it is resumed, so its buffer is read out. */
function hungUp(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    socket.once('close', () => resolve());
    socket.resume();
  });
}

describe.each(HTTP_ADAPTERS)('event stream readers on %s', (adapter) => {
  let cafe: TestCafe;
  const sockets: Socket[] = [];

  const silentReader = async (address: string) => {
    const reader = await openSilentReader(cafe.cafe.baristaPort, address);
    sockets.push(reader.socket);
    return reader;
  };

  beforeEach(async () => {
    cafe = await TestCafe.start(
      adapter,
      {
        EVENT_STREAM_READERS: String(READERS),
        EVENT_STREAM_READERS_PER_ADDRESS: String(PER_ADDRESS),
        THROTTLE_BURST_LIMIT: '100000',
        THROTTLE_SUSTAINED_LIMIT: '100000',
        MAX_WAITING_PER_ADDRESS: '100000',
      },
      { barista: { eventStream: { maxBufferedBytes: 16 * 1024 } } },
    );
  });

  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    await cafe.close();
  });

  it('refuses a reader past the cap per address and in all with 503 and Retry-After', async () => {
    const refusedFrom = async (address: string) => {
      const refused = await call(cafe.cafe.baristaPort, 'GET', '/events/stream', {
        localAddress: address,
      });
      expect(refused.status).toBe(503);
      expect(refused.headers['retry-after']).toBe('10');
      expect(refused.body).toEqual({
        statusCode: 503,
        error: 'Service Unavailable',
        message: `the café serves at most ${READERS} event streams, ${PER_ADDRESS} per address`,
      });
    };
    for (let i = 0; i < PER_ADDRESS; i++) expect((await silentReader(SILENT)).status).toBe(200);
    await refusedFrom(SILENT);
    for (let i = 0; i < PER_ADDRESS; i++)
      expect((await silentReader('127.0.4.4')).status).toBe(200);
    await refusedFrom('127.0.5.5');

    // A reader that leaves gives its place back.
    sockets[0].destroy();
    await eventually(async () => (await silentReader('127.0.5.5')).status === 200);
  });

  it('drops readers that never read while orders flow, and goes on serving orders', async () => {
    const silent = [await silentReader(SILENT), await silentReader(SILENT)];
    const store = cafe.cafe.core.get(EventStore);
    let appended = 0;
    /** A thousand orders from elsewhere, straight into the log: some 250 bytes of stream each. */
    const moreOrders = async () => {
      for (let i = 0; i < 1000; i++, appended++) {
        const id = `flow-${appended}`;
        void store.append(id, [new OrderPlaced(id, 'americano', '127.0.9.9', Date.now())], 0);
      }
      await new Promise((resolve) => setImmediate(resolve));
    };

    const regular = await cafe.order({ localAddress: '127.0.3.3' });
    await moreOrders();
    // With the readers stalled, the regular is served as ever (theirs is the oldest order).
    const started = await cafe.barista('GET', '/start/');
    await cafe.barista('POST', `/finish/?order_id=${started.body.order_id}`);
    expect((await regular.reply).status).toBe(200);
    // Until the café hangs up on the readers that do not read, their address has no place left.
    while (appended < 200_000 && (await silentReader(SILENT)).status === 503) await moreOrders();
    expect(appended).toBeLessThan(200_000);
    await Promise.all(silent.map(({ socket }) => hungUp(socket)));
    const answer = await cafe.customer('POST', '/order/', { headers: { prefer: 'respond-async' } });
    expect(answer.status).toBe(202);
  });
});
