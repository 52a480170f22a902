import { InMemoryEventStore } from '../event-store/in-memory-event-store';
import { OrderCancelled, OrderFinished, OrderPlaced, OrderStarted } from '../events';
import { BoardProjection, READY_SHOWN } from './board.projection';

const place = (store: InMemoryEventStore, id: string, at = 1) =>
  store.append(id, [new OrderPlaced(id, 'americano', '127.0.0.1', at)], 0);

async function serve(store: InMemoryEventStore, id: string) {
  await place(store, id);
  await store.append(id, [new OrderStarted(id, 2), new OrderFinished(id, 3)], 1);
}

const board = (projection: BoardProjection) =>
  projection.orders().map(({ orderId, status }) => `${orderId}:${status}`);

describe('the board projection', () => {
  it('shows queued and brewing orders in placement order, then the ready ones, with the last position', async () => {
    const projection = new BoardProjection();
    const store = new InMemoryEventStore([projection]);
    await place(store, 'a');
    await place(store, 'b');
    await store.append('a', [new OrderStarted('a', 2)], 1);
    expect(board(projection)).toEqual(['a:brewing', 'b:queued']);
    expect(projection.position).toBe(3);

    await place(store, 'c');
    await store.append('b', [new OrderCancelled('b', 'customer_left', 4)], 1);
    await store.append('a', [new OrderFinished('a', 5)], 2);
    expect(board(projection)).toEqual(['c:queued', 'a:ready']);
    expect(projection.position).toBe(6);
  });

  it(`keeps only the last ${READY_SHOWN} ready orders, newest first`, async () => {
    const projection = new BoardProjection();
    const store = new InMemoryEventStore([projection]);
    const ids = Array.from({ length: READY_SHOWN + 3 }, (_, i) => `o${i}`);
    for (const id of ids) await serve(store, id);
    expect(projection.orders().map((order) => order.orderId)).toEqual(ids.slice(3).reverse());
  });
});
