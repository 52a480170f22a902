import { EventStore } from '@cafe/ordering';
import { FLOOD_ADDRESS } from '@cafe/simulation';
import { HTTP_ADAPTERS, TestCafe } from './support/cafe-harness';
import { eventually } from './support/http-client';
import { RawConnection } from './support/raw-http';

jest.setTimeout(30_000);

const CAP = 3;

/** One keep-alive request for an order; `prefer` asks for the 202 at once. */
function orderRequest(prefer?: string): string {
  const extra = prefer === undefined ? '' : `Prefer: ${prefer}\r\n`;
  return `POST /order/ HTTP/1.1\r\nHost: cafe\r\nContent-Length: 0\r\n${extra}\r\n`;
}

describe.each(HTTP_ADAPTERS)('a customer hanging up on %s', (adapter) => {
  let cafe: TestCafe;

  beforeEach(async () => {
    cafe = await TestCafe.start(adapter, { MAX_WAITING_PER_ADDRESS: String(CAP) });
  });

  afterEach(() => cafe.close());

  /** The reasons the log gives for cancelling orders. */
  const cancellations = async () =>
    (await cafe.cafe.core.get(EventStore).readAll()).flatMap(({ event }) =>
      event.type === 'OrderCancelled' ? [event.reason] : [],
    );

  /** The address's orders can take every waiting place again. */
  const placesFree = async () => {
    for (let i = 0; i < CAP; i++) {
      const answer = await cafe.customer('POST', '/order/', {
        localAddress: FLOOD_ADDRESS,
        headers: { prefer: 'respond-async' },
      });
      expect(answer.status).toBe(202);
    }
  };

  it('withdraws every order pipelined on the connection and frees their places', async () => {
    const connection = await RawConnection.open(cafe.cafe.customerPort, FLOOD_ADDRESS);
    connection.write(orderRequest().repeat(CAP));
    await eventually(async () => (await cafe.queued()) === CAP);
    connection.destroy();

    await eventually(async () => (await cafe.queued()) === 0);
    expect(await cancellations()).toEqual(Array(CAP).fill('customer_left'));
    await placesFree();
  });

  it('withdraws a 202 queued behind a held answer, and leaves an order a barista started', async () => {
    const connection = await RawConnection.open(cafe.cafe.customerPort, FLOOD_ADDRESS);
    connection.write(orderRequest() + orderRequest('respond-async') + orderRequest());
    await eventually(async () => (await cafe.queued()) === CAP);
    const started = await cafe.barista('GET', '/start/');
    expect(started.status).toBe(200);
    connection.destroy();

    await eventually(async () => (await cafe.queued()) === 0);
    expect(await cancellations()).toEqual(['customer_left', 'customer_left']);
    const brewing = await cafe.customer('GET', `/orders/${started.body.order_id}`);
    expect(brewing.body.status).toBe('brewing');
    await placesFree();
  });
});
