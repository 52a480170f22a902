import { CommandBus } from '@nestjs/cqrs';
import { Test } from '@nestjs/testing';
import fc from 'fast-check';
import { CancelOrderCommand } from './commands/cancel-order.command';
import { FinishOrderCommand } from './commands/finish-order.command';
import { PlaceOrderCommand } from './commands/place-order.command';
import { RequeueExpiredOrderCommand } from './commands/requeue-expired-order.command';
import { StartNextOrderCommand } from './commands/start-next-order.command';
import { CoreModule } from './core.module';
import { DomainError } from './domain/errors';
import { OrderRepository } from './order.repository';
import { EventStore, type StoredEvent } from './event-store/event-store';
import { LeaseMonitor } from './lease/lease-monitor';
import { QueueProjection } from './projections/queue.projection';
import { WaitingCustomers } from './waiting/waiting-customers';

/** One step of a random day at the café; indexes pick among the orders that exist at that moment. */
type Step =
  | { kind: 'place' }
  | { kind: 'start' }
  | { kind: 'finish'; pick: number }
  | { kind: 'cancel'; pick: number }
  | { kind: 'reattach'; pick: number }
  | { kind: 'requeue' };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.constant({ kind: 'place' as const }),
  fc.constant({ kind: 'start' as const }),
  fc.nat().map((pick) => ({ kind: 'finish' as const, pick })),
  fc.nat().map((pick) => ({ kind: 'cancel' as const, pick })),
  fc.nat().map((pick) => ({ kind: 'reattach' as const, pick })),
  fc.constant({ kind: 'requeue' as const }),
);

/** Lets every released customer's promise callback run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

/**
 * Replays the log against a model of the queue: every start must take the queued order placed
 * earliest, requeued orders included, and no order may be finished twice.
 */
function expectOldestFirst(log: Iterable<StoredEvent>, placed: string[]): void {
  const queued = new Set<string>();
  const finished = new Set<string>();
  for (const { event } of log) {
    const { orderId } = event;
    switch (event.type) {
      case 'OrderPlaced':
      case 'OrderRequeued':
        queued.add(orderId);
        break;
      case 'OrderStarted': {
        const oldest = Math.min(...[...queued].map((id) => placed.indexOf(id)));
        expect(placed.indexOf(orderId)).toBe(oldest);
        queued.delete(orderId);
        break;
      }
      case 'OrderFinished':
        expect(finished.has(orderId)).toBe(false);
        finished.add(orderId);
        queued.delete(orderId);
        break;
      case 'OrderCancelled':
        queued.delete(orderId);
        break;
    }
  }
}

describe('any interleaving of place, start, finish, cancel, re-attach and requeue', () => {
  it('starts the oldest queued order, finishes each at most once, and releases exactly the finished customers', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 60 }), async (steps) => {
        // With a lease of 0 any brewing order may be requeued: the steps do it, not a timer.
        const core = await Test.createTestingModule({
          imports: [CoreModule.forRoot({ brewLeaseMs: 0 })],
        })
          .overrideProvider(LeaseMonitor)
          .useValue({})
          .compile();
        await core.init();
        try {
          const bus = core.get(CommandBus);
          const waiting = core.get(WaitingCustomers);
          const placed: string[] = [];
          const released = new Map<string, string>(); // customer's order id -> order id they got
          const finished = new Set<string>();

          for (const s of steps) {
            // Refusals (nothing queued, wrong state) are part of the game; anything else is a bug.
            const attempt = (command: Parameters<CommandBus['execute']>[0]) =>
              bus.execute(command).catch((error) => {
                if (!(error instanceof DomainError)) throw error;
                return undefined;
              });
            if (s.kind === 'place') {
              const order = await bus.execute(new PlaceOrderCommand('americano', '127.0.0.1'));
              placed.push(order.orderId);
              waiting.waitUntilReady(order).then(
                (ready) => released.set(order.orderId, ready.orderId),
                () => undefined,
              );
            } else if (s.kind === 'start') {
              await attempt(new StartNextOrderCommand());
            } else if (s.kind === 'requeue') {
              // As the lease timer does: the order started earliest goes back first.
              const earliest = core.get(QueueProjection).brewingByStart().next();
              if (!earliest.done)
                await attempt(new RequeueExpiredOrderCommand(earliest.value.orderId));
            } else if (placed.length > 0) {
              const orderId = placed[s.pick % placed.length];
              if (s.kind === 'finish') {
                const order = await attempt(new FinishOrderCommand(orderId));
                if (order) finished.add(orderId);
              } else if (s.kind === 'reattach') {
                // As a keyed re-post on another instance does (PlaceOrderHandler): it keeps the
                // order where it is in the queue.
                await core
                  .get(OrderRepository)
                  .handle({ kind: 'reattach', orderId, heldBy: 'elsewhere', at: Date.now() })
                  .catch((error) => {
                    if (!(error instanceof DomainError)) throw error;
                  });
              } else {
                await attempt(new CancelOrderCommand(orderId, 'customer_left'));
              }
            }
            await settle();
            // Released are exactly the finished ones, each with their own order.
            expect([...released.keys()].sort()).toEqual([...finished].sort());
            for (const [customer, got] of released) expect(got).toBe(customer);
          }

          expectOldestFirst(await core.get(EventStore).readAll(), placed);
        } finally {
          await core.close();
        }
      }),
      { numRuns: 150 },
    );
    // 150 cores built and closed: about 3 s on a quiet machine, past Jest's default 5 s on a loaded one.
  }, 60_000);
});
