import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CommandBus } from '@nestjs/cqrs';
import { Test } from '@nestjs/testing';
import { FinishOrderCommand } from '../commands/finish-order.command';
import { PlaceOrderCommand } from '../commands/place-order.command';
import { StartNextOrderCommand } from '../commands/start-next-order.command';
import { ManualClock } from '../../../../test/support/manual-clock';
import { CoreModule } from '../core.module';
import { EventStore } from '../event-store/event-store';
import { InMemoryEventStore } from '../event-store/in-memory-event-store';
import { OrderPlaced, OrderStarted } from '../events';
import { OrderStates } from '../orders/order-states';
import { QueueProjection } from '../projections/queue.projection';

const LEASE_MS = 1000;
const T0 = 1_000_000;

describe('the lease monitor', () => {
  let core: INestApplicationContext;
  let clock: ManualClock;
  const status = (orderId: string) => core.get(OrderStates).get(orderId)?.status;

  beforeEach(async () => {
    clock = new ManualClock(T0);
    core = await NestFactory.createApplicationContext(
      CoreModule.forRoot({ brewLeaseMs: LEASE_MS, clock }),
      { logger: false },
    );
  });

  afterEach(async () => {
    await core.close();
  });

  /** Places `count` orders, then starts them 10 ms apart; returns their ids in start order. */
  async function brew(count: number): Promise<string[]> {
    const bus = core.get(CommandBus);
    for (let i = 0; i < count; i++) await bus.execute(new PlaceOrderCommand('americano', '::1'));
    const started: string[] = [];
    for (let i = 0; i < count; i++) {
      started.push((await bus.execute(new StartNextOrderCommand())).orderId);
      await clock.advance(10);
    }
    return started;
  }

  it('keeps one timer, for the earliest expiry, however many orders brew', async () => {
    const ids = await brew(50); // started at T0, T0+10, ...; the clock is now at T0+500
    expect(clock.pending).toBe(1);

    await clock.advance(LEASE_MS - 500 - 1);
    expect(ids.map(status).every((s) => s === 'brewing')).toBe(true);

    await clock.advance(1);
    expect(status(ids[0])).toBe('queued');
    expect(
      ids
        .slice(1)
        .map(status)
        .every((s) => s === 'brewing'),
    ).toBe(true);
    expect(clock.pending).toBe(1);

    await clock.advance(10);
    expect(status(ids[1])).toBe('queued');
    expect(core.get(QueueProjection).ids()).toEqual(ids.slice(0, 2));
  });

  it('re-arms as orders finish, and puts an expired order in front of those placed later', async () => {
    const bus = core.get(CommandBus);
    const [a, b] = await brew(2); // a started at T0, b at T0+10
    const c = (await bus.execute(new PlaceOrderCommand('americano', '::1'))).orderId;
    await bus.execute(new FinishOrderCommand(a));

    await clock.advance(LEASE_MS - 10 - 1); // from T0+20 to just before T0+10+LEASE_MS
    expect(status(b)).toBe('brewing');
    await clock.advance(1);
    expect(status(b)).toBe('queued');
    expect(status(a)).toBe('ready');
    expect(core.get(QueueProjection).ids()).toEqual([b, c]);
    expect(clock.pending).toBe(0); // nothing brewing, nothing to watch
  });
});

describe('the lease monitor after a restart', () => {
  it('arms from the log and requeues a lease that ran out while the process was down', async () => {
    const clock = new ManualClock(T0);
    const restarted = await Test.createTestingModule({
      imports: [CoreModule.forRoot({ brewLeaseMs: LEASE_MS, clock })],
    })
      .overrideProvider(EventStore)
      .useFactory({
        // The log as a durable store would replay it, before any listener subscribes.
        factory: async (queue: QueueProjection, orders: OrderStates) => {
          const store = new InMemoryEventStore([queue, orders]);
          await store.append('old', [new OrderPlaced('old', 'americano', '::1', T0 - 5000)], 0);
          await store.append('old', [new OrderStarted('old', T0 - 4000)], 1);
          await store.append('new', [new OrderPlaced('new', 'americano', '::1', T0 - 300)], 0);
          await store.append('new', [new OrderStarted('new', T0 - 200)], 1);
          return store;
        },
        inject: [QueueProjection, OrderStates],
      })
      .compile();
    restarted.useLogger(false);
    await restarted.init();
    try {
      const orders = restarted.get(OrderStates);
      await clock.advance(1);
      expect(orders.get('old')?.status).toBe('queued');
      expect(orders.get('new')?.status).toBe('brewing');
      await clock.advance(LEASE_MS - 200);
      expect(orders.get('new')?.status).toBe('queued');
      expect(restarted.get(QueueProjection).ids()).toEqual(['old', 'new']);
    } finally {
      await restarted.close();
    }
  });
});
