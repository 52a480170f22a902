import { NestFactory } from '@nestjs/core';
import { CommandBus } from '@nestjs/cqrs';
import { CutOffAddressCommand } from '../commands/cut-off-address.command';
import { PlaceOrderCommand } from '../commands/place-order.command';
import { StartNextOrderCommand } from '../commands/start-next-order.command';
import { CoreModule } from '../core.module';
import { EventStore, replay } from '../event-store/event-store';
import { InMemoryEventStore } from '../event-store/in-memory-event-store';
import { OrderCancelled, OrderFinished, OrderPlaced, OrderRequeued, OrderStarted } from '../events';
import type { QueuePolicyName } from './queue-policy';
import { QueuedByAddressProjection } from './queued-by-address.projection';

const FLOOD = '10.0.0.66';
const THREE_ADDRESSES: [id: string, address: string][] = [
  ['a1', 'A'],
  ['a2', 'A'],
  ['a3', 'A'],
  ['b1', 'B'],
  ['c1', 'C'],
  ['c2', 'C'],
];

async function storeWith(placements: [id: string, address: string][]) {
  const byAddress = new QueuedByAddressProjection();
  const store = new InMemoryEventStore([byAddress]);
  for (const [i, [id, address]] of placements.entries()) {
    await store.append(id, [new OrderPlaced(id, 'americano', address, i)], 0);
  }
  return { store, byAddress };
}

describe('the queued-by-address projection', () => {
  it('takes addresses in turn, each its oldest order, a new address joining at the back', async () => {
    const { store, byAddress } = await storeWith(THREE_ADDRESSES);
    const taken: string[] = [];
    for (let id = byAddress.next(); id !== undefined; id = byAddress.next()) {
      taken.push(id);
      await store.append(id, [new OrderStarted(id, 10)], 1);
      if (id === 'b1') await store.append('d1', [new OrderPlaced('d1', 'americano', 'D', 11)], 0);
    }
    expect(taken).toEqual(['a1', 'b1', 'c1', 'a2', 'd1', 'c2', 'a3']);
  });

  it('gives each queued order its place in the order baristas will take them (1 = next)', async () => {
    const { store, byAddress } = await storeWith(THREE_ADDRESSES);
    await store.append('a1', [new OrderStarted('a1', 10)], 1); // A goes to the back
    const queued = ['a2', 'a3', 'b1', 'c1', 'c2'];
    const positions = new Map(queued.map((id) => [id, byAddress.positionOf(id)]));
    expect(byAddress.positionOf('a1')).toBeUndefined(); // brewing
    expect(byAddress.positionOf('nobody')).toBeUndefined();

    const taken: string[] = [];
    for (let id = byAddress.next(); id !== undefined; id = byAddress.next()) {
      taken.push(id);
      await store.append(id, [new OrderStarted(id, 20)], 1);
    }
    expect(taken).toEqual(['b1', 'c1', 'a2', 'c2', 'a3']);
    expect(taken.map((id) => positions.get(id))).toEqual([1, 2, 3, 4, 5]);
  });

  it('puts a requeued order back among its address’s orders by placement, its address next in turn', async () => {
    const { store, byAddress } = await storeWith([
      ['a1', 'A'],
      ['a2', 'A'],
      ['b1', 'B'],
    ]);
    await store.append('a1', [new OrderStarted('a1', 10)], 1);
    await store.append('b1', [new OrderStarted('b1', 11)], 1);
    expect(byAddress.next()).toBe('a2');
    await store.append('a1', [new OrderRequeued('a1', 20)], 2);
    await store.append('b1', [new OrderRequeued('b1', 21)], 2);
    // B had no order left queued, so it gets the next turn; A keeps its place, a1 before a2.
    expect(byAddress.queuedFrom('A')).toEqual(['a1', 'a2']);
    expect(byAddress.next()).toBe('b1');
    // A late finish of the requeued a1 takes it off the queue.
    await store.append('a1', [new OrderFinished('a1', 22)], 3);
    expect(byAddress.queuedFrom('A')).toEqual(['a2']);
  });

  it('lists the queued orders of an address, without started or cancelled ones', async () => {
    const { store, byAddress } = await storeWith([
      ['f1', FLOOD],
      ['r1', 'R'],
      ['f2', FLOOD],
      ['f3', FLOOD],
    ]);
    await store.append('f1', [new OrderStarted('f1', 10)], 1);
    await store.append('f3', [new OrderCancelled('f3', 'customer_left', 11)], 1);
    expect(byAddress.queuedFrom(FLOOD)).toEqual(['f2']);
    expect(byAddress.queuedFrom('R')).toEqual(['r1']);
    expect(byAddress.queuedFrom('nobody')).toEqual([]);
  });

  it('keeps the turn of an address whose order was cancelled', async () => {
    const { store, byAddress } = await storeWith([
      ['a1', 'A'],
      ['a2', 'A'],
      ['b1', 'B'],
    ]);
    await store.append('a1', [new OrderCancelled('a1', 'customer_left', 10)], 1);
    expect(byAddress.next()).toBe('a2');
  });

  it('is rebuilt from the log alone', async () => {
    const { store, byAddress } = await storeWith([
      ['a1', 'A'],
      ['b1', 'B'],
      ['a2', 'A'],
    ]);
    await store.append('a1', [new OrderStarted('a1', 10)], 1);
    const rebuilt = await replay(store, new QueuedByAddressProjection());
    expect(rebuilt.next()).toBe(byAddress.next());
    expect(rebuilt.queuedFrom('A')).toEqual(byAddress.queuedFrom('A'));
  });
});

describe('the core', () => {
  async function withCore(
    queuePolicy: QueuePolicyName,
    test: (bus: CommandBus, store: EventStore) => Promise<void>,
  ) {
    const core = await NestFactory.createApplicationContext(CoreModule.forRoot({ queuePolicy }), {
      logger: false,
    });
    try {
      await test(core.get(CommandBus), core.get(EventStore));
    } finally {
      await core.close();
    }
  }

  /** How many orders baristas start before the regular's, behind 20 from one address. */
  async function startsBeforeRegular(queuePolicy: QueuePolicyName): Promise<number> {
    let before = -1;
    await withCore(queuePolicy, async (bus) => {
      for (let i = 0; i < 20; i++) await bus.execute(new PlaceOrderCommand('americano', FLOOD));
      const regular = await bus.execute(new PlaceOrderCommand('americano', '10.0.0.1'));
      for (let started = 0; before < 0; started++) {
        const order = await bus.execute(new StartNextOrderCommand());
        if (order.orderId === regular.orderId) before = started;
      }
    });
    return before;
  }

  it('serves the oldest order first under fifo, and the next address under fair', async () => {
    expect(await startsBeforeRegular('fifo')).toBe(20);
    expect(await startsBeforeRegular('fair')).toBe(1);
  });

  it('cuts off an address: its queued orders are cancelled as a flood, the rest stay', async () => {
    await withCore('fifo', async (bus, store) => {
      const flood = [];
      for (let i = 0; i < 5; i++)
        flood.push(await bus.execute(new PlaceOrderCommand('americano', FLOOD)));
      const regular = await bus.execute(new PlaceOrderCommand('americano', '10.0.0.1'));
      const brewing = await bus.execute(new StartNextOrderCommand());
      expect(brewing.orderId).toBe(flood[0].orderId);

      expect(await bus.execute(new CutOffAddressCommand(FLOOD))).toBe(4);
      expect(await bus.execute(new CutOffAddressCommand(FLOOD))).toBe(0);

      const cancelled = [...(await store.readAll())]
        .filter(({ event }) => event.type === 'OrderCancelled')
        .map(({ event }) => event);
      expect(cancelled).toEqual(
        flood.slice(1).map(({ orderId }) => expect.objectContaining({ orderId, reason: 'flood' })),
      );
      expect((await bus.execute(new StartNextOrderCommand())).orderId).toBe(regular.orderId);
    });
  });
});
