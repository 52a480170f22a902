import type { IncomingMessage } from 'node:http';
import {
  EventFeed,
  type Order,
  OrderCancelled,
  OrderFinished,
  OrderRequeued,
  OrderStarted,
} from '@cafe/ordering';
import { InMemoryEventStore } from '../../../ordering/src/event-store/in-memory-event-store';
import { WaitingPerAddress } from './waiting-per-address';

const ADDRESS = '127.0.0.9';
const request = () => ({}) as IncomingMessage;
const queued = (orderId: string) => ({ orderId, status: 'queued' }) as Order;
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('the waiting places of an address', () => {
  let store: InMemoryEventStore;
  let places: WaitingPerAddress;

  beforeEach(() => {
    store = new InMemoryEventStore([]);
    places = new WaitingPerAddress(2, new EventFeed(store));
  });

  afterEach(() => places.onApplicationShutdown());

  /** A request that takes a place and places `orderId`, queued. */
  const place = async (orderId: string) => {
    const held = request();
    expect(await places.tryEnter(held, ADDRESS)).toBe(true);
    places.handOver(held, queued(orderId));
  };

  it('refuses a place once the address has the cap, requests on their way included', async () => {
    await place('a');
    const onItsWay = request();
    expect(await places.tryEnter(onItsWay, ADDRESS)).toBe(true);
    expect(await places.tryEnter(request(), ADDRESS)).toBe(false);
    expect(await places.tryEnter(request(), '127.0.0.10')).toBe(true);
    // The request placed nothing: its place is free once its exchange is over.
    places.release(onItsWay);
    expect(places.count(ADDRESS)).toBe(1);
  });

  it('frees a place at the start, takes it again at a requeue, frees it for good at the finish', async () => {
    await place('a');
    await place('b');
    await store.append('a', [new OrderStarted('a', 1)], 0);
    await settle();
    expect(places.count(ADDRESS)).toBe(1);
    await store.append('a', [new OrderRequeued('a', 2)], 1);
    await settle();
    expect(places.count(ADDRESS)).toBe(2);
    await store.append('a', [new OrderStarted('a', 3), new OrderFinished('a', 4)], 2);
    await store.append('b', [new OrderCancelled('b', 'customer_left', 5)], 0);
    await settle();
    expect(places.count(ADDRESS)).toBe(0);
  });

  it('gives the place back when the order is not queued any more, or already holds one', async () => {
    await place('a');
    const again = request();
    expect(await places.tryEnter(again, ADDRESS)).toBe(true);
    places.handOver(again, queued('a')); // the same order, found again by its key
    expect(places.count(ADDRESS)).toBe(1);
    const late = request();
    expect(await places.tryEnter(late, ADDRESS)).toBe(true);
    places.handOver(late, { orderId: 'c', status: 'brewing' } as Order);
    expect(places.count(ADDRESS)).toBe(1);
  });
});
