import { OrderPlaced } from '../events';
import { EventFeed, type EventSink } from './event-feed';
import { InMemoryEventStore } from './in-memory-event-store';

const place = (store: InMemoryEventStore, id: string) =>
  store.append(id, [new OrderPlaced(id, 'americano', '127.0.0.1', 1)], 0);

/** A sink that accepts `room` events before it reports being behind, until `drain` is called. */
function sinkWithRoom(room: number) {
  const received: number[] = [];
  let release: (caughtUp: boolean) => void = () => undefined;
  const sink: EventSink = {
    send: (stored) => {
      received.push(stored.position);
      return received.length % room !== 0;
    },
    drained: () => new Promise((resolve) => (release = resolve)),
  };
  return { sink, received, drain: (caughtUp = true) => release(caughtUp) };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('the event feed', () => {
  it('by default sends only the events appended after it started following', async () => {
    const store = new InMemoryEventStore([]);
    await place(store, 'a');
    const { sink, received } = sinkWithRoom(100);
    new EventFeed(store).follow(sink);
    await place(store, 'b');
    await settle();
    expect(received).toEqual([2]);
  });

  it('tells its followers after the append, in a later turn, once for all of them', async () => {
    const store = new InMemoryEventStore([]);
    const feed = new EventFeed(store);
    const readers = Array.from({ length: 3 }, () => sinkWithRoom(100));
    for (const { sink } of readers) feed.follow(sink);
    await place(store, 'a');
    await place(store, 'b');
    // Both appends are done and acknowledged; no reader has cost them anything yet.
    for (const { received } of readers) expect(received).toEqual([]);
    await settle();
    for (const { received } of readers) expect(received).toEqual([1, 2]);
  });

  it('tells every follower even when one of them fails', async () => {
    const store = new InMemoryEventStore([]);
    const feed = new EventFeed(store);
    feed.follow({
      send: () => {
        throw new Error('a broken follower');
      },
      drained: async () => true,
    });
    const { sink, received } = sinkWithRoom(100);
    feed.follow(sink);
    await place(store, 'a');
    await settle();
    expect(received).toEqual([1]);
  });

  it('replays after a position at the pace of the sink, then follows live without gaps or repeats', async () => {
    const store = new InMemoryEventStore([]);
    for (const id of ['a', 'b', 'c', 'd', 'e']) await place(store, id);
    const { sink, received, drain } = sinkWithRoom(2);
    new EventFeed(store).follow(sink, 1);
    await settle();
    expect(received).toEqual([2, 3]);

    await place(store, 'f'); // appended while the reader is behind: comes with the replay
    expect(received).toEqual([2, 3]);
    drain();
    await settle();
    expect(received).toEqual([2, 3, 4, 5]);
    drain();
    await settle();
    expect(received).toEqual([2, 3, 4, 5, 6]);

    await place(store, 'g');
    await settle();
    expect(received).toEqual([2, 3, 4, 5, 6, 7]);
  });

  it('stops replaying when the reader leaves, and stops following when told', async () => {
    const store = new InMemoryEventStore([]);
    for (const id of ['a', 'b', 'c']) await place(store, id);
    const behind = sinkWithRoom(1);
    new EventFeed(store).follow(behind.sink, 0);
    await settle();
    behind.drain(false);
    await settle();
    await place(store, 'd');
    await settle();
    expect(behind.received).toEqual([1]);

    const live = sinkWithRoom(100);
    const stop = new EventFeed(store).follow(live.sink);
    await place(store, 'e');
    stop(); // before the fan-out: what was told meanwhile is not sent either
    await place(store, 'f');
    await settle();
    expect(live.received).toEqual([]);
  });
});
