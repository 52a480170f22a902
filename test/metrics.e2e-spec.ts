import { HTTP_ADAPTERS, TestCafe } from './support/cafe-harness';
import { eventually } from './support/http-client';

/** Prometheus text as `name{labels}` -> value, comments skipped. */
function samples(text: string): Map<string, number> {
  const map = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const cut = line.lastIndexOf(' ');
    map.set(line.slice(0, cut), Number(line.slice(cut + 1)));
  }
  return map;
}

describe.each(HTTP_ADAPTERS)('metrics on %s', (adapter) => {
  let cafe: TestCafe;

  beforeEach(async () => {
    cafe = await TestCafe.start(adapter);
  });

  afterEach(() => cafe.close());

  const scrape = async () => {
    const answer = await cafe.barista('GET', '/metrics');
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toMatch(/^text\/plain;.*version=0\.0\.4/);
    return samples(answer.body);
  };

  it('counts a day at the café from its events', async () => {
    const served = await cafe.order();
    await cafe.order(); // still waiting when scraped
    const leaving = new AbortController();
    await cafe.order({ signal: leaving.signal });
    const started = await cafe.barista('GET', '/start/');
    await cafe.barista('POST', `/finish/?order_id=${started.body.order_id}`);
    expect((await served.reply).status).toBe(200);
    leaving.abort();
    await eventually(async () => (await cafe.queued()) === 1);

    const m = await scrape();
    expect(m.get('cafe_events_total{type="OrderPlaced"}')).toBe(3);
    expect(m.get('cafe_events_total{type="OrderStarted"}')).toBe(1);
    expect(m.get('cafe_events_total{type="OrderFinished"}')).toBe(1);
    expect(m.get('cafe_events_total{type="OrderCancelled"}')).toBe(1);
    expect(m.get('cafe_cancellations_total{reason="customer_left"}')).toBe(1);
    expect(m.get('cafe_queue_depth')).toBe(1);
    expect(m.get('cafe_orders_brewing')).toBe(0);
    expect(m.get('cafe_customers_waiting')).toBe(1);
    for (const histogram of [
      'cafe_queue_wait_seconds',
      'cafe_brew_seconds',
      'cafe_total_wait_seconds',
    ]) {
      expect({ histogram, count: m.get(`${histogram}_count`) }).toEqual({ histogram, count: 1 });
    }
    expect(m.get('cafe_total_wait_seconds_sum')).toBeCloseTo(
      (m.get('cafe_queue_wait_seconds_sum') ?? NaN) + (m.get('cafe_brew_seconds_sum') ?? NaN),
      6,
    );
    // Six appends: three placements, a start, a finish and a cancellation.
    expect(m.get('cafe_event_store_append_seconds_count')).toBe(6);
    expect(m.has('process_cpu_user_seconds_total')).toBe(true);
    expect(m.get('nodejs_heap_size_used_bytes')).toBeGreaterThan(0);

    await cafe.barista('GET', '/start/');
    const after = await scrape();
    expect(after.get('cafe_queue_depth')).toBe(0);
    expect(after.get('cafe_orders_brewing')).toBe(1);
    expect(after.get('cafe_customers_waiting')).toBe(1);
  });

  it('counts the requests the flood defence refused, by throttler', async () => {
    const strict = await TestCafe.start(adapter, {
      THROTTLE_BURST_LIMIT: '2',
      MAX_WAITING_PER_ADDRESS: '1',
    });
    try {
      await strict.order(); // takes the address's one waiting place
      expect((await strict.customer('POST', '/order/')).status).toBe(429); // the waiting cap
      expect((await strict.customer('POST', '/order/')).status).toBe(429); // third in the burst window
      const m = samples((await strict.barista('GET', '/metrics')).body);
      expect(m.get('cafe_throttled_requests_total{throttler="waiting_cap"}')).toBe(1);
      expect(m.get('cafe_throttled_requests_total{throttler="burst"}')).toBe(1);
      expect(m.get('cafe_cancellations_total{reason="flood"}')).toBe(1);
    } finally {
      await strict.close();
    }
  });

  it('keeps each café’s metrics apart and serves them only to baristas', async () => {
    await cafe.order();
    const other = await TestCafe.start(adapter);
    try {
      const m = samples((await other.barista('GET', '/metrics')).body);
      expect(m.has('cafe_events_total{type="OrderPlaced"}')).toBe(false);
      expect(m.get('cafe_queue_depth')).toBe(0);
      expect((await scrape()).get('cafe_events_total{type="OrderPlaced"}')).toBe(1);
    } finally {
      await other.close();
    }
    expect((await cafe.customer('GET', '/metrics')).status).toBe(404);
  });
});
