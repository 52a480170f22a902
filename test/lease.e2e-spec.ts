import { HTTP_ADAPTERS, TestCafe } from './support/cafe-harness';
import { ManualClock } from './support/manual-clock';

/** The default lease: the café's clock is moved past it, nothing sleeps. */
const LEASE_SECONDS = 600;

describe.each(HTTP_ADAPTERS)('the barista lease on %s', (adapter) => {
  let cafe: TestCafe;
  let clock: ManualClock;

  beforeEach(async () => {
    clock = new ManualClock(Date.now());
    cafe = await TestCafe.start(adapter, { BREW_LEASE_SECONDS: String(LEASE_SECONDS) }, { clock });
  });

  afterEach(() => cafe.close());

  /** Lets the lease of every brewing order run out; they are back in the queue. */
  const requeued = async () => {
    await clock.advance(LEASE_SECONDS * 1000);
    expect((await cafe.barista('GET', '/queue')).body.brewing).toBe(0);
  };

  it('puts an order whose barista walked away back at the front of the queue', async () => {
    const first = await cafe.order({ localAddress: '127.0.3.1' });
    const second = await cafe.order({ localAddress: '127.0.3.2' });
    const walkedAway = await cafe.barista('GET', '/start/');

    await requeued();
    expect((await cafe.barista('GET', '/queue')).body.queued).toBe(2);
    const again = await cafe.barista('GET', '/start/');
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({
      order_id: walkedAway.body.order_id,
      status: 'brewing',
      placed_at: walkedAway.body.placed_at,
      requeued_at: expect.any(String),
    });
    expect(Date.parse(again.body.started_at)).toBeGreaterThan(
      Date.parse(walkedAway.body.started_at),
    );

    await cafe.barista('POST', `/finish/?order_id=${again.body.order_id}`);
    expect((await first.reply).body).toMatchObject({
      order_id: walkedAway.body.order_id,
      status: 'ready',
    });
    const next = await cafe.barista('GET', '/start/');
    expect(next.body.order_id).not.toBe(walkedAway.body.order_id);
    await cafe.barista('POST', `/finish/?order_id=${next.body.order_id}`);
    expect((await second.reply).status).toBe(200);
  });

  it('accepts a late finish while nobody has started the order again', async () => {
    const { reply } = await cafe.order();
    const started = await cafe.barista('GET', '/start/');
    await requeued();

    const late = await cafe.barista('POST', `/finish/?order_id=${started.body.order_id}`);
    expect(late.status).toBe(200);
    expect(late.body).toMatchObject({ order_id: started.body.order_id, status: 'ready' });
    const ready = await reply;
    expect(ready.status).toBe(200);
    expect(ready.body.order_id).toBe(started.body.order_id);
    expect(await cafe.queued()).toBe(0);
    expect((await cafe.barista('GET', '/start/')).status).toBe(404);
  });

  it('once another barista started it again, the first finish wins and the later gets 409', async () => {
    const { reply } = await cafe.order();
    const first = await cafe.barista('GET', '/start/');
    await requeued();
    const second = await cafe.barista('GET', '/start/');
    expect(second.body.order_id).toBe(first.body.order_id);

    const winner = await cafe.barista('POST', `/finish/?order_id=${first.body.order_id}`);
    expect(winner.status).toBe(200);
    const loser = await cafe.barista('POST', `/finish/?order_id=${second.body.order_id}`);
    expect(loser.status).toBe(409);
    expect(loser.body).toEqual({
      statusCode: 409,
      error: 'Conflict',
      message: expect.stringMatching(/is ready/),
    });
    const ready = await reply;
    expect(ready.status).toBe(200);
    expect(ready.body.finished_at).toBe(winner.body.finished_at);
  });
});
