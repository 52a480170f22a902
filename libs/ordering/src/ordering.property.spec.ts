import { NestFactory } from '@nestjs/core';
import { CommandBus } from '@nestjs/cqrs';
import fc from 'fast-check';
import { CancelOrderCommand } from './commands/cancel-order.command';
import { FinishOrderCommand } from './commands/finish-order.command';
import { PlaceOrderCommand } from './commands/place-order.command';
import { StartNextOrderCommand } from './commands/start-next-order.command';
import { CoreModule } from './core.module';
import { DomainError } from './domain/errors';
import { EventStore } from './event-store/event-store';
import { WaitingCustomers } from './waiting/waiting-customers';

/** One step of a random day at the café; indexes pick among the orders that exist at that moment. */
type Step =
  | { kind: 'place' }
  | { kind: 'start' }
  | { kind: 'finish'; pick: number }
  | { kind: 'cancel'; pick: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.constant({ kind: 'place' as const }),
  fc.constant({ kind: 'start' as const }),
  fc.nat().map((pick) => ({ kind: 'finish' as const, pick })),
  fc.nat().map((pick) => ({ kind: 'cancel' as const, pick })),
);

/** Lets every released customer's promise callback run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('any interleaving of place, start, finish and cancel', () => {
  it('starts each order at most once, in placement order, and releases exactly the finished customers', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 60 }), async (steps) => {
        const core = await NestFactory.createApplicationContext(CoreModule, { logger: false });
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
              waiting.waitUntilReady(order.orderId).then(
                (ready) => released.set(order.orderId, ready.orderId),
                () => undefined,
              );
            } else if (s.kind === 'start') {
              await attempt(new StartNextOrderCommand());
            } else if (placed.length > 0) {
              const orderId = placed[s.pick % placed.length];
              if (s.kind === 'finish') {
                const order = await attempt(new FinishOrderCommand(orderId));
                if (order) finished.add(orderId);
              } else {
                await attempt(new CancelOrderCommand(orderId, 'customer_left'));
              }
            }
            await settle();
            // Released are exactly the finished ones, each with their own order.
            expect([...released.keys()].sort()).toEqual([...finished].sort());
            for (const [customer, got] of released) expect(got).toBe(customer);
          }

          const starts = [...core.get(EventStore).readAll()]
            .filter(({ event }) => event.type === 'OrderStarted')
            .map(({ event }) => event.orderId);
          expect(new Set(starts).size).toBe(starts.length);
          const placementRanks = starts.map((id) => placed.indexOf(id));
          expect(placementRanks).toEqual([...placementRanks].sort((a, b) => a - b));
        } finally {
          await core.close();
        }
      }),
      { numRuns: 150 },
    );
  });
});
