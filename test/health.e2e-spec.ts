import { EventStore } from '@cafe/ordering';
import { HTTP_ADAPTERS, TestCafe } from './support/cafe-harness';

describe.each(HTTP_ADAPTERS)('health on %s', (adapter) => {
  let cafe: TestCafe;

  beforeEach(async () => {
    cafe = await TestCafe.start(adapter);
  });

  afterEach(() => cafe.close());

  const sides = ['customer', 'barista'] as const;

  // The memory store says it lets history go (issue 17).
  const eventStore = {
    status: 'up',
    keeps: 'the live orders and the last 10000 events only: older orders are let go',
  };
  it.each([
    [
      'customer',
      { event_store: eventStore, customer_port: { status: 'up' }, orders: { status: 'up' } },
    ],
    ['barista', { event_store: eventStore, customer_port: { status: 'up' } }],
  ] as const)('the %s app is alive and ready: %j', async (side, checks) => {
    const live = await cafe[side]('GET', '/health/live');
    expect(live.status).toBe(200);
    expect(live.body.status).toBe('ok');

    const ready = await cafe[side]('GET', '/health');
    expect(ready.status).toBe(200);
    expect(ready.headers['cache-control']).toMatch(/no-store/);
    expect(ready.body).toEqual({ status: 'ok', info: checks, error: {}, details: checks });
  });

  it.each(sides)(
    'the %s app is not ready while the event store cannot write, and alive all along',
    async (side) => {
      const store = cafe.cafe.core.get(EventStore);
      const writable = jest.spyOn(store, 'isWritable').mockReturnValue(false);

      const ready = await cafe[side]('GET', '/health');
      expect(ready.status).toBe(503);
      expect(ready.body).toEqual({
        statusCode: 503,
        error: 'Service Unavailable',
        message: ['event_store: cannot write'],
      });
      expect((await cafe[side]('GET', '/health/live')).status).toBe(200);

      writable.mockRestore();
      expect((await cafe[side]('GET', '/health')).status).toBe(200);
    },
  );
});
