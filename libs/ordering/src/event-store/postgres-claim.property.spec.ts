import { Client } from 'pg';
import fc from 'fast-check';
import {
  createTestDatabase,
  describeWithPostgres,
  type TestDatabase,
} from '../../../../test/support/postgres-database';
import { DomainError } from '../domain/errors';
import { decide, evolve, type Order, type OrderCommand } from '../domain/order';
import { PostgresEventStore } from './postgres-event-store';

/** One step of a random day; `pick` chooses among the orders placed so far. */
type Step =
  | { kind: 'place' }
  | { kind: 'claim' }
  | { kind: 'start' | 'finish' | 'cancel' | 'requeue' | 'reattach'; pick: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.constant({ kind: 'place' as const }),
  fc.constant({ kind: 'claim' as const }),
  fc.record({
    kind: fc.constantFrom(
      'start' as const,
      'finish' as const,
      'cancel' as const,
      'requeue' as const,
      'reattach' as const,
    ),
    pick: fc.nat(),
  }),
);

/** An order as the domain folds it from what the log stored, and where it was placed. */
interface Modelled {
  order: Order;
  version: number;
  placedAt: number;
}

/** Whether `decide` would start this order: the domain's rule, asked, not restated. */
function startable(order: Order, at: number): boolean {
  try {
    decide({ kind: 'start', orderId: order.orderId, at }, order);
    return true;
  } catch (error) {
    if (error instanceof DomainError) return false;
    throw error;
  }
}

/**
 * The claim of GET /start/ on PostgreSQL (cafe_append, migration 005) starts an order without
 * calling `decide`. It must start exactly the order `decide` would let start and the queue
 * takes first (the oldest placed among those `decide` calls startable), or nothing when
 * `decide` would start none, whatever came before: placements, starts decided by the
 * application, finishes, cancels (refused ones included), requeues and re-attaches (which
 * leave a queued order at its place).
 */
describeWithPostgres()('the PostgreSQL claim against decide', () => {
  let database: TestDatabase;
  let admin: Client;

  beforeAll(async () => {
    database = await createTestDatabase();
    // Migrates the new database once; every run then starts from empty tables.
    await (await PostgresEventStore.open(database.url, [])).close();
    admin = new Client({ connectionString: database.url });
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.end();
    await database?.drop();
  });

  async function emptyLog(): Promise<void> {
    const { rows } = await admin.query<{ tablename: string }>(
      "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT IN ('cafe_migrations', 'cafe_log_head')",
    );
    await admin.query(`TRUNCATE ${rows.map(({ tablename }) => tablename).join(', ')}`);
    await admin.query('UPDATE cafe_log_head SET position = 0');
  }

  it('starts the order decide would, or none when decide would start none', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 40 }), async (steps) => {
        await emptyLog();
        const store = await PostgresEventStore.open(database.url, []);
        try {
          const orders = new Map<string, Modelled>();
          const ids: string[] = [];
          let at = 1_000;
          for (const s of steps) {
            at += 10;
            if (s.kind === 'claim') {
              const candidates = [...orders.values()].filter(({ order }) => startable(order, at));
              const expected = candidates.sort((a, b) => a.placedAt - b.placedAt)[0];
              const started = await store.startOldestQueued(at);
              expect(started?.stream).toBe(expected?.order.orderId);
              if (!started || !expected) continue;
              expect(started.event.type).toBe('OrderStarted');
              expect(started.version).toBe(expected.version + 1);
              expected.order = evolve(expected.order, started.event);
              expected.version = started.version;
              continue;
            }
            let command: OrderCommand;
            if (s.kind === 'place') {
              const orderId = `order-${ids.length}`;
              command = { kind: 'place', orderId, drink: 'americano', clientAddress: '::1', at };
            } else {
              if (ids.length === 0) continue;
              const orderId = ids[s.pick % ids.length];
              command =
                s.kind === 'cancel'
                  ? { kind: 'cancel', orderId, reason: 'customer_left', at }
                  : s.kind === 'requeue'
                    ? { kind: 'requeue', orderId, leaseMs: 0, at }
                    : s.kind === 'reattach'
                      ? { kind: 'reattach', orderId, heldBy: `instance-${at}`, at }
                      : { kind: s.kind, orderId, at };
            }
            const modelled = orders.get(command.orderId);
            let events;
            try {
              events = decide(command, modelled?.order);
            } catch (error) {
              if (error instanceof DomainError) continue; // refused: nothing reaches the log
              throw error;
            }
            const stored = await store.append(command.orderId, events, modelled?.version ?? 0);
            const order = events.reduce<Order | undefined>(evolve, modelled?.order) as Order;
            const version = stored[stored.length - 1].version;
            if (modelled) Object.assign(modelled, { order, version });
            else {
              orders.set(command.orderId, { order, version, placedAt: stored[0].position });
              ids.push(command.orderId);
            }
          }
          // And the table the claim reads holds exactly the orders decide would start.
          const { rows } = await admin.query<{ stream: string }>('SELECT stream FROM cafe_queue');
          const startableNow = [...orders.values()].filter(({ order }) => startable(order, at));
          expect(rows.map(({ stream }) => stream).sort()).toEqual(
            startableNow.map(({ order }) => order.orderId).sort(),
          );
        } finally {
          await store.close();
        }
      }),
      { numRuns: 60 },
    );
  }, 120_000);
});
