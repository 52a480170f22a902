import { replay } from '../event-store/event-store';
import { InMemoryEventStore } from '../event-store/in-memory-event-store';
import { OrderCancelled, OrderFinished, OrderPlaced, OrderStarted } from '../events';
import { OrderStatusProjection } from './order-status.projection';
import { QueueProjection } from './queue.projection';

async function storeWithHistory() {
  const queue = new QueueProjection();
  const orders = new OrderStatusProjection();
  const store = new InMemoryEventStore([queue, orders]);
  for (const [i, id] of ['a', 'b', 'c', 'd', 'e'].entries()) {
    await store.append(id, [new OrderPlaced(id, 'americano', '127.0.0.1', 100 + i)], 0);
  }
  await store.append('a', [new OrderStarted('a', 200)], 1);
  await store.append('a', [new OrderFinished('a', 300)], 2);
  await store.append('c', [new OrderCancelled('c', 'customer_left', 250)], 1);
  await store.append('b', [new OrderStarted('b', 260)], 1);
  return { store, queue, orders };
}

describe('the queue projection', () => {
  it('keeps queued orders oldest first and drops started and cancelled ones', async () => {
    const { queue } = await storeWithHistory();
    expect(queue.ids()).toEqual(['d', 'e']);
    expect(queue.next()).toBe('d');
    expect(queue.size).toBe(2);
    expect(queue.oldestPlacedAt()).toBe(103);
  });

  it('is rebuilt from the log alone', async () => {
    const { store, queue } = await storeWithHistory();
    const rebuilt = replay(store, new QueueProjection());
    expect(rebuilt.ids()).toEqual(queue.ids());
    expect(rebuilt.oldestPlacedAt()).toBe(queue.oldestPlacedAt());
  });
});

describe('the order status projection', () => {
  it('knows every order and counts them by status', async () => {
    const { orders } = await storeWithHistory();
    expect(orders.get('a')).toMatchObject({ status: 'ready', startedAt: 200, finishedAt: 300 });
    expect(orders.get('c')).toMatchObject({ status: 'cancelled', cancelReason: 'customer_left' });
    expect(orders.get('zz')).toBeUndefined();
    expect(
      (['queued', 'brewing', 'ready', 'cancelled'] as const).map((s) => orders.count(s)),
    ).toEqual([2, 1, 1, 1]);
  });

  it('is rebuilt from the log alone', async () => {
    const { store, orders } = await storeWithHistory();
    const rebuilt = replay(store, new OrderStatusProjection());
    expect([...rebuilt.all()]).toEqual([...orders.all()]);
    expect(rebuilt.count('queued')).toBe(orders.count('queued'));
  });
});
