import { LeaseNotExpired, OrderAlreadyPlaced, OrderInWrongState, OrderNotFound } from './errors';
import {
  decide,
  evolve,
  heldElsewhere,
  type Order,
  type OrderCommand,
  places,
  settles,
} from './order';
import {
  OrderCancelled,
  type OrderEvent,
  OrderFinished,
  OrderPlaced,
  OrderReattached,
  OrderRequeued,
  OrderStarted,
} from '../events';

const ID = 'order-1';
const placed = new OrderPlaced(ID, 'americano', '127.0.0.1', 1000);
const started = new OrderStarted(ID, 2000);
const finished = new OrderFinished(ID, 3000);
const cancelled = new OrderCancelled(ID, 'customer_left', 1500);
const LEASE_MS = 600;
const requeued = new OrderRequeued(ID, 2000 + LEASE_MS);
const restarted = new OrderStarted(ID, 2700);
const heldByDead = new OrderPlaced(ID, 'americano', '127.0.0.1', 1000, undefined, 'dead');
const reattached = new OrderReattached(ID, 'survivor', 1200);

/** Given these events happened, when the command arrives, then... */
function given(...history: OrderEvent[]) {
  const order = history.reduce<Order | undefined>(evolve, undefined);
  return {
    when: (command: OrderCommand) => ({
      then: (expected: OrderEvent[]) => expect(decide(command, order)).toEqual(expected),
      thenRefuses: (error: new (...args: never[]) => Error) =>
        expect(() => decide(command, order)).toThrow(error),
    }),
  };
}

const place: OrderCommand = {
  kind: 'place',
  orderId: ID,
  drink: 'americano',
  clientAddress: '127.0.0.1',
  at: 1000,
};
const start: OrderCommand = { kind: 'start', orderId: ID, at: 2000 };
const finish: OrderCommand = { kind: 'finish', orderId: ID, at: 3000 };
const cancel: OrderCommand = { kind: 'cancel', orderId: ID, reason: 'customer_left', at: 1500 };
const requeue: OrderCommand = { kind: 'requeue', orderId: ID, leaseMs: LEASE_MS, at: 2600 };
const reattach: OrderCommand = { kind: 'reattach', orderId: ID, heldBy: 'survivor', at: 1200 };

describe('an order', () => {
  describe('placing', () => {
    it('places a new order', () => given().when(place).then([placed]));
    it('refuses to place the same order twice', () =>
      given(placed).when(place).thenRefuses(OrderAlreadyPlaced));
  });

  describe('starting', () => {
    it('starts a queued order', () => given(placed).when(start).then([started]));
    it('refuses an unknown order', () => given().when(start).thenRefuses(OrderNotFound));
    it('refuses an order already brewing', () =>
      given(placed, started).when(start).thenRefuses(OrderInWrongState));
    it('refuses a ready order', () =>
      given(placed, started, finished).when(start).thenRefuses(OrderInWrongState));
    it('refuses a cancelled order', () =>
      given(placed, cancelled).when(start).thenRefuses(OrderInWrongState));
    it('records the barista who started it', () =>
      given(placed)
        .when({ ...start, barista: 'ana' })
        .then([new OrderStarted(ID, 2000, 'ana')]));
  });

  describe('finishing', () => {
    it('finishes a brewing order', () => given(placed, started).when(finish).then([finished]));
    it('refuses an unknown order', () => given().when(finish).thenRefuses(OrderNotFound));
    it('refuses a queued order', () => given(placed).when(finish).thenRefuses(OrderInWrongState));
    it('refuses a ready order', () =>
      given(placed, started, finished).when(finish).thenRefuses(OrderInWrongState));
    it('refuses a cancelled order', () =>
      given(placed, cancelled).when(finish).thenRefuses(OrderInWrongState));
    it('records the barista who finished it', () =>
      given(placed, started)
        .when({ ...finish, barista: 'ben' })
        .then([new OrderFinished(ID, 3000, 'ben')]));
  });

  describe('cancelling', () => {
    it('cancels a queued order', () => given(placed).when(cancel).then([cancelled]));
    it('keeps the reason', () =>
      given(placed)
        .when({ ...cancel, reason: 'flood' })
        .then([new OrderCancelled(ID, 'flood', 1500)]));
    it('refuses an unknown order', () => given().when(cancel).thenRefuses(OrderNotFound));
    it('refuses a brewing order: it gets finished instead', () =>
      given(placed, started).when(cancel).thenRefuses(OrderInWrongState));
    it('refuses a ready order', () =>
      given(placed, started, finished).when(cancel).thenRefuses(OrderInWrongState));
  });

  describe('requeueing when the lease ran out', () => {
    it('puts a brewing order back once its lease ran out', () =>
      given(placed, started).when(requeue).then([requeued]));
    it('also long after the lease ran out', () =>
      given(placed, started)
        .when({ ...requeue, at: 90_000 })
        .then([new OrderRequeued(ID, 90_000)]));
    it('refuses while the lease runs', () =>
      given(placed, started)
        .when({ ...requeue, at: 2000 + LEASE_MS - 1 })
        .thenRefuses(LeaseNotExpired));
    it('counts the lease from the latest start', () =>
      given(placed, started, requeued, restarted)
        .when({ ...requeue, at: 2700 + LEASE_MS - 1 })
        .thenRefuses(LeaseNotExpired));
    it('refuses a queued order', () => given(placed).when(requeue).thenRefuses(OrderInWrongState));
    it('refuses a ready order', () =>
      given(placed, started, finished).when(requeue).thenRefuses(OrderInWrongState));
    it('refuses an unknown order', () => given().when(requeue).thenRefuses(OrderNotFound));
    it('lets another barista start a requeued order', () =>
      given(placed, started, requeued)
        .when({ ...start, at: 2700 })
        .then([restarted]));
    it('lets a customer who left cancel a requeued order', () =>
      given(placed, started, requeued).when(cancel).then([cancelled]));
  });

  describe('re-attaching a customer who came back with the key', () => {
    it('records who holds the customer of a queued order now', () =>
      given(heldByDead).when(reattach).then([reattached]));
    it('refuses a brewing order', () =>
      given(heldByDead, started).when(reattach).thenRefuses(OrderInWrongState));
    it('refuses a cancelled order', () =>
      given(heldByDead, cancelled).when(reattach).thenRefuses(OrderInWrongState));
    it('refuses an unknown order', () => given().when(reattach).thenRefuses(OrderNotFound));
    it('lets a barista start, and a customer leave, a re-attached order', () => {
      given(heldByDead, reattached).when(start).then([started]);
      given(heldByDead, reattached).when(cancel).then([cancelled]);
    });
    it('is needed only for a queued order whose customer another process holds', () => {
      const order = (...history: OrderEvent[]) =>
        history.reduce<Order | undefined>(evolve, undefined) as Order;
      expect(heldElsewhere(order(heldByDead), 'survivor')).toBe(true);
      expect(heldElsewhere(order(heldByDead), 'dead')).toBe(false);
      expect(heldElsewhere(order(heldByDead, reattached), 'survivor')).toBe(false);
      expect(heldElsewhere(order(heldByDead, reattached), 'third')).toBe(true);
      expect(heldElsewhere(order(heldByDead, started), 'survivor')).toBe(false);
      expect(heldElsewhere(order(placed), 'survivor')).toBe(false);
    });
  });

  describe('a late finish after the lease ran out', () => {
    it('is accepted while nobody has started the order again', () =>
      given(placed, started, requeued).when(finish).then([finished]));
    it('is accepted from whichever barista finishes first after a restart', () =>
      given(placed, started, requeued, restarted).when(finish).then([finished]));
    it('is refused once the order is ready: the first finish won', () =>
      given(placed, started, requeued, restarted, finished)
        .when(finish)
        .thenRefuses(OrderInWrongState));
    it('is refused when the requeued order was cancelled', () =>
      given(placed, started, requeued, cancelled).when(finish).thenRefuses(OrderInWrongState));
  });

  describe('evolving', () => {
    it('records each step with its time', () => {
      const order = [placed, started, finished].reduce<Order | undefined>(evolve, undefined);
      expect(order).toEqual({
        orderId: ID,
        drink: 'americano',
        clientAddress: '127.0.0.1',
        status: 'ready',
        placedAt: 1000,
        startedAt: 2000,
        finishedAt: 3000,
      });
    });

    it('records a cancellation and its reason', () => {
      expect(evolve(evolve(undefined, placed), cancelled)).toMatchObject({
        status: 'cancelled',
        cancelledAt: 1500,
        cancelReason: 'customer_left',
      });
    });

    it('records a requeue and keeps the latest start', () => {
      const order = [placed, started, requeued, restarted].reduce<Order | undefined>(
        evolve,
        undefined,
      );
      expect(order).toMatchObject({ status: 'brewing', startedAt: 2700, requeuedAt: 2600 });
      expect(evolve(order, finished)).toMatchObject({ status: 'ready', finishedAt: 3000 });
    });

    it('records a re-attach: the order stays queued, held by the new process', () => {
      expect(evolve(evolve(undefined, heldByDead), reattached)).toMatchObject({
        status: 'queued',
        heldBy: 'survivor',
        placedAt: 1000,
      });
    });

    it('folds events read back from a log as plain objects', () => {
      const plain = JSON.parse(JSON.stringify([placed, started])) as OrderEvent[];
      expect(plain.reduce<Order | undefined>(evolve, undefined)?.status).toBe('brewing');
    });

    it('keeps who started and who finished, the latest start replacing an earlier one', () => {
      const order = [
        placed,
        new OrderStarted(ID, 2000, 'ana'),
        requeued,
        new OrderStarted(ID, 2700, 'ben'),
        new OrderFinished(ID, 3000, 'ana'),
      ].reduce<Order | undefined>(evolve, undefined);
      expect(order).toMatchObject({ startedBy: 'ben', finishedBy: 'ana' });
      const anonymousRestart = evolve(evolve(order, requeued), restarted);
      expect(anonymousRestart.startedBy).toBeUndefined();
    });

    it('folds starts and finishes logged before baristas were named', () => {
      const logged = [
        { type: 'OrderPlaced', orderId: ID, drink: 'americano', clientAddress: '::1', at: 1000 },
        { type: 'OrderStarted', orderId: ID, at: 2000 },
        { type: 'OrderFinished', orderId: ID, at: 3000 },
      ] as OrderEvent[];
      const order = logged.reduce<Order | undefined>(evolve, undefined);
      expect(order).toMatchObject({ status: 'ready', startedAt: 2000, finishedAt: 3000 });
      expect(order?.startedBy).toBeUndefined();
      expect(order?.finishedBy).toBeUndefined();
    });

    it('refuses a history that does not start with OrderPlaced', () => {
      expect(() => evolve(undefined, started)).toThrow(/before OrderPlaced/);
    });
  });

  describe('placing and settling, which the stores keep their live orders and keys by', () => {
    const events = [placed, started, finished, cancelled, requeued, reattached];
    const throws = (run: () => unknown) => {
      try {
        run();
        return false;
      } catch {
        return true;
      }
    };

    it('places with the one event evolve takes with no order', () => {
      for (const event of events) {
        const takenFirst = !throws(() => evolve(undefined, event));
        expect([event.type, places(event)]).toEqual([event.type, takenFirst]);
      }
    });

    it('settles with the events after which decide refuses every command', () => {
      const lives = [
        [placed],
        [placed, started],
        [placed, started, requeued],
        [heldByDead, reattached],
        [placed, started, finished],
        [placed, cancelled],
      ];
      const commands = [place, start, finish, cancel, { ...requeue, at: 9000 }, reattach];
      for (const history of lives) {
        const order = history.reduce<Order | undefined>(evolve, undefined);
        const refusesAll = commands.every((command) => throws(() => decide(command, order)));
        const last = history[history.length - 1];
        expect([last.type, settles(last)]).toEqual([last.type, refusesAll]);
      }
    });
  });
});
