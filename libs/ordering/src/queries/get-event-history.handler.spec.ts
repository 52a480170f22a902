import { InMemoryEventStore } from '../event-store/in-memory-event-store';
import { OrderPlaced } from '../events';
import { GetEventHistoryHandler } from './get-event-history.handler';
import { GetEventHistoryQuery } from './get-event-history.query';

/** Ten placements at times 100, 110, ... 190: position p happened at 90 + 10 p. */
async function historyOfTen() {
  const store = new InMemoryEventStore([]);
  for (let i = 0; i < 10; i++) {
    await store.append(
      `o${i}`,
      [new OrderPlaced(`o${i}`, 'americano', '127.0.0.1', 100 + 10 * i)],
      0,
    );
  }
  const handler = new GetEventHistoryHandler(store);
  return async (...args: ConstructorParameters<typeof GetEventHistoryQuery>) => {
    const page = await handler.execute(new GetEventHistoryQuery(...args));
    return { positions: page.events.map((s) => s.position), next: page.nextAfter, more: page.more };
  };
}

describe('the event history query', () => {
  it('pages through the whole log oldest first', async () => {
    const read = await historyOfTen();
    expect(await read(0, 4)).toEqual({ positions: [1, 2, 3, 4], next: 4, more: true });
    expect(await read(4, 4)).toEqual({ positions: [5, 6, 7, 8], next: 8, more: true });
    expect(await read(8, 4)).toEqual({ positions: [9, 10], next: 10, more: false });
    expect(await read(10, 4)).toEqual({ positions: [], next: 10, more: false });
  });

  it('keeps to [from, to) by time, combined with the cursor', async () => {
    const read = await historyOfTen();
    expect(await read(0, 100, 120, 150)).toEqual({ positions: [3, 4, 5], next: 5, more: false });
    expect(await read(0, 2, 120, 150)).toEqual({ positions: [3, 4], next: 4, more: true });
    expect(await read(4, 2, 120, 150)).toEqual({ positions: [5], next: 5, more: false });
    expect(await read(0, 100, 185)).toEqual({ positions: [10], next: 10, more: false });
    expect(await read(0, 100, undefined, 101)).toEqual({ positions: [1], next: 1, more: false });
    expect(await read(0, 100, 500)).toEqual({ positions: [], next: 10, more: false });
    expect(await read(0, 100, 150, 150)).toEqual({ positions: [], next: 5, more: false });
  });
});
