import { InMemoryEventStore } from '../event-store/in-memory-event-store';
import { OrderCancelled, OrderFinished, OrderPlaced, OrderStarted } from '../events';
import { OrderStates } from '../orders/order-states';
import { QueueProjection } from '../projections/queue.projection';
import { WaitingCustomers } from '../waiting/waiting-customers';
import { CafeMetrics } from './cafe-metrics';
import { OrderHistory } from '../order-history';

/** The value of one sample line (`name{labels} value`) of a scrape. */
const sample = (text: string, name: string) =>
  Number(new RegExp(`^${name.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1]);

describe('CafeMetrics', () => {
  const setUp = () => {
    const queue = new QueueProjection();
    const orders = new OrderStates();
    const store = new InMemoryEventStore([queue, orders]);
    const metrics = new CafeMetrics(
      store,
      orders,
      queue,
      new WaitingCustomers(store, orders, new OrderHistory(store, orders, orders)),
    );
    return { store, metrics };
  };

  it('measures queue wait, brew time and total wait between the events’ own times', async () => {
    const { store, metrics } = setUp();
    await store.append('a', [new OrderPlaced('a', 'americano', '127.0.0.1', 1_000)], 0);
    await store.append('a', [new OrderStarted('a', 121_000)], 1);
    await store.append('a', [new OrderFinished('a', 166_000)], 2);

    const text = await metrics.scrape();
    expect(sample(text, 'cafe_queue_wait_seconds_sum')).toBe(120);
    expect(sample(text, 'cafe_brew_seconds_sum')).toBe(45);
    expect(sample(text, 'cafe_total_wait_seconds_sum')).toBe(165);
    expect(sample(text, 'cafe_total_wait_seconds_bucket{le="120"}')).toBe(0);
    expect(sample(text, 'cafe_total_wait_seconds_bucket{le="300"}')).toBe(1);
  });

  it('counts events by type and cancellations by reason', async () => {
    const { store, metrics } = setUp();
    for (const [id, reason] of [
      ['a', 'flood'],
      ['b', 'flood'],
      ['c', 'customer_left'],
    ] as const) {
      await store.append(id, [new OrderPlaced(id, 'americano', '10.0.0.1', 1)], 0);
      await store.append(id, [new OrderCancelled(id, reason, 2)], 1);
    }
    const text = await metrics.scrape();
    expect(sample(text, 'cafe_events_total{type="OrderPlaced"}')).toBe(3);
    expect(sample(text, 'cafe_events_total{type="OrderCancelled"}')).toBe(3);
    expect(sample(text, 'cafe_cancellations_total{reason="flood"}')).toBe(2);
    expect(sample(text, 'cafe_cancellations_total{reason="customer_left"}')).toBe(1);
    expect(sample(text, 'cafe_queue_wait_seconds_count')).toBe(0);
  });

  it('records how long each append took', async () => {
    const { metrics } = setUp();
    // The clock is Jest's (process.hrtime included): what is checked is what gets recorded,
    // not how fast prom-client runs.
    jest.useFakeTimers();
    try {
      const stop = metrics.startAppendTimer();
      jest.advanceTimersByTime(5);
      stop();
    } finally {
      jest.useRealTimers();
    }
    const text = await metrics.scrape();
    expect(sample(text, 'cafe_event_store_append_seconds_count')).toBe(1);
    expect(sample(text, 'cafe_event_store_append_seconds_sum')).toBeCloseTo(0.005, 6);
  });
});
