import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SeededRandom } from '@cafe/simulation';
import { SqliteEventStore } from '../libs/ordering/src/event-store/sqlite-event-store';
import { OrderStates } from '../libs/ordering/src/orders/order-states';
import { QueueProjection } from '../libs/ordering/src/projections/queue.projection';
import { HTTP_ADAPTERS } from './support/cafe-harness';
import { CafeProcess, MAIN } from './support/cafe-process';
import type { HttpAnswer } from './support/http-client';

const CYCLES = 20;
const BURST = 24;
const STATES = ['queued', 'brewing', 'ready'];

/** One order the café acknowledged: its key, id and the latest state a 2xx confirmed. */
interface Acknowledged {
  key: string;
  orderId: string;
  state: string;
  /** Client-side clock: when its request was sent and when its answer came. */
  sent: number;
  acked: number;
}

const asyncWithKey = (key: string) => ({ prefer: 'respond-async', 'idempotency-key': key });

/** What the log on disk says, read by the test itself while no server runs. */
async function readLog(file: string) {
  const queue = new QueueProjection();
  const orders = new OrderStates();
  const store = new SqliteEventStore(file, [queue, orders]);
  const placedByKey = new Map<string, string[]>();
  const positionOf = new Map<string, number>();
  for (const { position, event } of await store.readAll()) {
    if (event.type !== 'OrderPlaced') continue;
    positionOf.set(event.orderId, position);
    const key = event.idempotency?.key ?? '';
    placedByKey.set(key, [...(placedByKey.get(key) ?? []), event.orderId]);
  }
  return { store, queue, orders, placedByKey, positionOf };
}

describe('kill -9 during a burst of appends, then restart', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'cafe-crash-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(`loses and duplicates no acknowledged order over ${CYCLES} cycles`, async () => {
    expect(existsSync(MAIN)).toBe(true); // `make test` builds first
    const file = join(dir, 'orders.db');
    // Seeded, so a failing run can be replayed.
    const random = new SeededRandom(4);
    let clock = 0;
    const acknowledged = new Map<string, Acknowledged>(); // by key
    let unacknowledged: { key: string; sent: number }[] = [];
    let lost = 0;
    let duplicated = 0;
    let killedMidBurst = 0;

    const acknowledge = (key: string, sent: number, answer: HttpAnswer) => {
      const known = acknowledged.get(key);
      if (known) expect(answer.body.order_id).toBe(known.orderId); // re-attached, not re-placed
      acknowledged.set(key, {
        key,
        orderId: answer.body.order_id,
        state: answer.body.status,
        sent: known?.sent ?? sent,
        acked: known?.acked ?? ++clock,
      });
    };
    const confirm = (orderId: string, state: string) => {
      for (const order of acknowledged.values()) if (order.orderId === orderId) order.state = state;
    };

    let oldestQueued: string | undefined;
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      const server = await CafeProcess.startCafe({
        HTTP_ADAPTER: HTTP_ADAPTERS[cycle % HTTP_ADAPTERS.length],
        EVENT_STORE: `sqlite:${file}`,
      });
      try {
        // The queue resumes with the oldest queued order; the barista's start is acknowledged.
        const started = await server.barista('GET', '/start/');
        expect(started.status === 404 ? undefined : started.body.order_id).toBe(oldestQueued);
        if (started.status === 200) {
          confirm(started.body.order_id, 'brewing');
          if (random.next() < 0.7) {
            const path = `/finish/?order_id=${started.body.order_id}`;
            expect((await server.barista('POST', path)).status).toBe(200);
            confirm(started.body.order_id, 'ready');
          }
        }

        // Keys whose answer the crash swallowed are retried: each re-attaches or places once.
        for (const { key, sent } of unacknowledged) {
          const answer = await server.customer('POST', '/order/', asyncWithKey(key));
          expect([200, 202]).toContain(answer.status);
          acknowledge(key, sent, answer);
        }
        // Acknowledged keys re-attach to their order, with its state.
        for (const order of [...acknowledged.values()].filter(() => random.next() < 0.1)) {
          const again = await server.customer('POST', '/order/', asyncWithKey(order.key));
          expect(again.body.order_id).toBe(order.orderId);
          const polled = await server.customer('GET', `/orders/${order.orderId}`);
          expect(STATES.indexOf(polled.body.status)).toBeGreaterThanOrEqual(
            STATES.indexOf(order.state),
          );
        }

        // The burst, killed after a random number of its answers arrived: in its first half, so
        // that answers are still on their way when the kill lands, however fast the server is.
        const killAfter = Math.floor((random.next() * BURST) / 2);
        let answered = 0;
        let killing: Promise<void> | undefined;
        unacknowledged = [];
        await Promise.all(
          Array.from({ length: BURST }, async (_, i) => {
            const key = `c${cycle}-o${i}`;
            const sent = ++clock;
            try {
              const answer = await server.customer('POST', '/order/', asyncWithKey(key));
              if (answer.status !== 202) throw new Error(`status ${answer.status}`);
              acknowledge(key, sent, answer);
            } catch {
              unacknowledged.push({ key, sent });
            }
            if (++answered > killAfter) killing ??= server.kill();
          }),
        );
        await killing;
        if (unacknowledged.length > 0) killedMidBurst++;
      } finally {
        await server.kill();
      }

      const log = await readLog(file);
      try {
        for (const order of acknowledged.values()) {
          const onDisk = log.orders.get(order.orderId);
          if (!onDisk) lost++;
          else {
            expect(STATES.indexOf(onDisk.status)).toBeGreaterThanOrEqual(
              STATES.indexOf(order.state),
            );
          }
        }
        for (const orderIds of log.placedByKey.values()) duplicated += orderIds.length - 1;
        expect(log.placedByKey.has('')).toBe(false);
        // In the original order: an order acknowledged before another was sent comes first in the log.
        const byAck = [...acknowledged.values()].sort((a, b) => a.acked - b.acked);
        for (const later of acknowledged.values()) {
          const earlier = byAck.filter((order) => order.acked < later.sent).pop();
          if (earlier) {
            expect(log.positionOf.get(earlier.orderId)).toBeLessThan(
              log.positionOf.get(later.orderId) as number,
            );
          }
        }
        oldestQueued = log.queue.next();
      } finally {
        await log.store.close();
      }
    }

    expect({ lost, duplicated }).toEqual({ lost: 0, duplicated: 0 });
    expect(acknowledged.size).toBeGreaterThan(CYCLES * 2);
    // Most cycles (14 of 20 here) kill with answers in flight; a quarter is the floor on any machine.
    expect(killedMidBurst).toBeGreaterThanOrEqual(CYCLES / 4);
  }, 120_000);

  it('refuses to start on a damaged log, naming the file, with exit status 1', async () => {
    const file = join(dir, 'damaged.db');
    writeFileSync(file, 'SQLite format 3\0' + 'not really'.repeat(100));
    const child = spawn(process.execPath, [MAIN], {
      env: { ...process.env, CUSTOMER_PORT: '0', BARISTA_PORT: '0', EVENT_STORE: `sqlite:${file}` },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const status = await new Promise((resolve) => child.once('exit', resolve));
    expect(status).toBe(1);
    expect(stderr).toMatch(
      new RegExp(`^cafe: event log ${file} is damaged .*refusing to start`, 'm'),
    );
  }, 20_000);
});
