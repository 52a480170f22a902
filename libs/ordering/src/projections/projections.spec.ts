import { replay } from '../event-store/event-store';
import { InMemoryEventStore } from '../event-store/in-memory-event-store';
import { OrderCancelled, OrderFinished, OrderPlaced, OrderRequeued, OrderStarted } from '../events';
import { OrderStates } from '../orders/order-states';
import { QueueProjection } from './queue.projection';
import { Retention } from '../retention';

async function storeWithHistory() {
  const queue = new QueueProjection();
  const orders = new OrderStates();
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
    const rebuilt = await replay(store, new QueueProjection());
    expect(rebuilt.ids()).toEqual(queue.ids());
    expect(rebuilt.oldestPlacedAt()).toBe(queue.oldestPlacedAt());
  });
});

describe('the queue projection when a lease runs out', () => {
  async function withRequeue() {
    const history = await storeWithHistory(); // b is brewing; d and e are queued
    await history.store.append('d', [new OrderStarted('d', 270)], 1);
    await history.store.append('b', [new OrderRequeued('b', 900)], 2);
    return history;
  }

  it('lists brewing orders by start, the order their leases run out', async () => {
    const { queue } = await storeWithHistory();
    expect([...queue.brewingByStart()]).toEqual([{ orderId: 'b', startedAt: 260 }]);
  });

  it('puts a requeued order at the front, with its placement time', async () => {
    const { queue } = await withRequeue();
    expect(queue.ids()).toEqual(['b', 'e']);
    expect(queue.oldestPlacedAt()).toBe(101);
    expect([...queue.brewingByStart()]).toEqual([{ orderId: 'd', startedAt: 270 }]);
  });

  it('keeps requeued orders in placement order among themselves', async () => {
    const { store, queue } = await withRequeue(); // queued: b (placed 101), e (104)
    await store.append('d', [new OrderRequeued('d', 950)], 2); // d was placed at 103
    expect(queue.ids()).toEqual(['b', 'd', 'e']);
    await store.append('b', [new OrderStarted('b', 960)], 3);
    await store.append('b', [new OrderRequeued('b', 990)], 4);
    expect(queue.ids()).toEqual(['b', 'd', 'e']);
  });

  it('orders by place in the log, not by the clock, which may tie or step back', async () => {
    const queue = new QueueProjection();
    const store = new InMemoryEventStore([queue]);
    await store.append('x', [new OrderPlaced('x', 'americano', '::1', 500)], 0);
    await store.append('y', [new OrderPlaced('y', 'americano', '::1', 500)], 0);
    await store.append('z', [new OrderPlaced('z', 'americano', '::1', 400)], 0);
    await store.append('x', [new OrderStarted('x', 600)], 1);
    await store.append('x', [new OrderRequeued('x', 700)], 2);
    expect(queue.ids()).toEqual(['x', 'y', 'z']);
  });

  it('takes a requeued order off the queue when its first barista finishes it late', async () => {
    const { store, queue } = await withRequeue();
    await store.append('b', [new OrderFinished('b', 950)], 3);
    expect(queue.ids()).toEqual(['e']);
  });

  it('moves a restarted order back to brewing, behind those started earlier', async () => {
    const { store, queue } = await withRequeue();
    await store.append('b', [new OrderStarted('b', 1000)], 3);
    expect(queue.ids()).toEqual(['e']);
    expect([...queue.brewingByStart()].map(({ orderId }) => orderId)).toEqual(['d', 'b']);
  });

  it('is rebuilt from the log alone, brewing orders included', async () => {
    const { store, queue } = await withRequeue();
    const rebuilt = await replay(store, new QueueProjection());
    expect(rebuilt.ids()).toEqual(queue.ids());
    expect([...rebuilt.brewingByStart()]).toEqual([...queue.brewingByStart()]);
  });
});

describe('the order status projection', () => {
  it('knows the live and the recent orders and counts the live ones by status', async () => {
    const { orders } = await storeWithHistory();
    expect(orders.get('a')).toMatchObject({ status: 'ready', startedAt: 200, finishedAt: 300 });
    expect(orders.get('c')).toMatchObject({ status: 'cancelled', cancelReason: 'customer_left' });
    expect(orders.get('zz')).toBeUndefined();
    expect([orders.count('queued'), orders.count('brewing')]).toEqual([2, 1]);
  });

  it('keeps no more settled orders than its retention, by count and by age', async () => {
    const orders = new OrderStates(new Retention({ recentOrders: 2, recentOrdersMs: 1000 }));
    const store = new InMemoryEventStore([orders]);
    for (const [i, id] of ['a', 'b', 'c', 'd'].entries()) {
      await store.append(id, [new OrderPlaced(id, 'americano', '127.0.0.1', i)], 0);
      await store.append(id, [new OrderCancelled(id, 'customer_left', 10 + i)], 1);
    }
    await store.append('q', [new OrderPlaced('q', 'americano', '127.0.0.1', 20)], 0);
    expect([...orders.all()].map((order) => order.orderId)).toEqual(['q', 'c', 'd']);
    expect(orders.load('d')).toMatchObject({ version: 2, order: { status: 'cancelled' } });
    // Settled at 13: gone once the log's clock passes 1013; the live order stays however old.
    await store.append('r', [new OrderPlaced('r', 'americano', '127.0.0.1', 1013)], 0);
    expect([...orders.all()].map((order) => order.orderId)).toEqual(['q', 'r']);
    expect(orders.load('d')).toEqual({ order: undefined, version: 0 });
  });

  it('is rebuilt from the log alone', async () => {
    const { store, orders } = await storeWithHistory();
    const rebuilt = await replay(store, new OrderStates());
    expect([...rebuilt.all()]).toEqual([...orders.all()]);
    expect(rebuilt.count('queued')).toBe(orders.count('queued'));
  });
});
