import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { HTTP_ADAPTERS } from './support/cafe-harness';
import { CafeProcess } from './support/cafe-process';
import { call, eventually, type HttpAnswer } from './support/http-client';
import {
  createTestDatabase,
  describeWithPostgres,
  type TestDatabase,
} from './support/postgres-database';

const WAITING = 100;
const REATTACH_SECONDS = 3;

jest.setTimeout(120_000);

interface EventAnswer {
  type: string;
  order_id: string;
  data: { held_by?: string; reason?: string; idempotency?: { key: string } };
}

/** Every event of the log, through the barista port's history. */
async function events(server: CafeProcess): Promise<EventAnswer[]> {
  const all: EventAnswer[] = [];
  for (let after = 0; ;) {
    const page = await server.barista('GET', `/events?after=${after}&limit=1000`);
    all.push(...page.body.events);
    if (page.body.next === null) return all;
    after = page.body.next_after;
  }
}

/** The instance a café process says it is at its start (OrphanedOrders). */
function instanceOf(server: CafeProcess): string {
  return /this is instance ([^\s"]+)/.exec(server.log)?.[1] as string;
}

describe.each(HTTP_ADAPTERS)(
  'orders held by a process that was killed, on %s (SQLite)',
  (adapter) => {
    let dir: string;
    const servers: CafeProcess[] = [];
    beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'cafe-orphans-'))));
    afterAll(async () => {
      await Promise.all(servers.map((server) => server.kill()));
      rmSync(dir, { recursive: true, force: true });
    });

    it(`withdraws ${WAITING} held without a key at the restart; keeps one with a key for its window, re-attachable`, async () => {
      const start = async () => {
        const server = await CafeProcess.startCafe({
          HTTP_ADAPTER: adapter,
          EVENT_STORE: `sqlite:${join(dir, 'orders.db')}`,
          ORPHAN_REATTACH_SECONDS: String(REATTACH_SECONDS),
        });
        servers.push(server);
        return server;
      };
      const first = await start();
      const order = (localAddress: string, headers: Record<string, string> = {}) =>
        call(first.customerPort, 'POST', '/order/', { localAddress, headers }).catch(
          (error: Error) => error,
        );
      const held = Array.from({ length: WAITING }, (_, i) =>
        order(`127.0.${40 + (i >> 8)}.${(i & 255) + 1}`),
      );
      const keyed = ['comes-back', 'never-comes-back'].map((key, i) =>
        order(`127.0.50.${i + 1}`, { 'idempotency-key': key }),
      );
      const polling = (await first.customer('POST', '/order/', {
        prefer: 'respond-async',
      })) as HttpAnswer;
      expect(polling.status).toBe(202);
      await eventually(async () => (await first.queue()).queued === WAITING + 3, 20_000);

      await first.kill();
      for (const answer of await Promise.all([...held, ...keyed])) {
        expect(answer).not.toHaveProperty('status'); // the connection died with the process
      }

      const second = await start();
      // Ready means already withdrawn: no barista can take one of them.
      expect(await second.queue()).toMatchObject({ queued: 3, brewing: 0 });
      const log = await events(second);
      const placed = log.filter(({ type }) => type === 'OrderPlaced');
      const holder = placed[0].data.held_by as string;
      expect(holder).toMatch(/\//);
      const withdrawn = log.filter(({ type }) => type === 'OrderCancelled');
      expect(withdrawn).toHaveLength(WAITING);
      for (const { order_id, data } of withdrawn) {
        expect(data.reason).toBe('holder_died');
        expect(placed.find((event) => event.order_id === order_id)?.data).toMatchObject({
          held_by: holder,
        });
      }
      // The async customer's order was held by nobody: it stays for them to poll.
      expect(placed.find((event) => event.order_id === polling.body.order_id)?.data.held_by).toBe(
        undefined,
      );
      expect((await second.customer('GET', `/orders/${polling.body.order_id}`)).body.status).toBe(
        'queued',
      );
      await second.said(`withdrew order ${withdrawn[0].order_id} (holder_died)`);
      await second.said(`held by instance ${holder}, which is gone`);

      // One customer with a key comes back within the window and gets their coffee.
      const back = call(second.customerPort, 'POST', '/order/', {
        headers: { 'idempotency-key': 'comes-back' },
      });
      await second.said('its customer came back');
      const keyedIds = placed
        .filter(({ data }) => data.idempotency)
        .map(({ order_id }) => order_id);
      const gone = keyedIds.find(
        (id) =>
          placed.find((event) => event.order_id === id)?.data.idempotency?.key !== 'comes-back',
      ) as string;
      // The other is withdrawn once the window has passed, as is nothing else.
      await eventually(
        async () =>
          (await second.customer('GET', `/orders/${gone}`)).body.cancel_reason === 'not_reattached',
        20_000,
      );
      expect(await second.queue()).toMatchObject({ queued: 2, brewing: 0 });
      for (let i = 0; i < 2; i++) {
        const started = await second.barista('GET', '/start/');
        expect(
          (await second.barista('POST', `/finish/?order_id=${started.body.order_id}`)).status,
        ).toBe(200);
      }
      const served = await back;
      expect(served.status).toBe(200);
      expect(served.body.status).toBe('ready');
      expect(keyedIds).toContain(served.body.order_id);
      // The log says who held it from the re-post on, and that is why its window's withdrawal,
      // decided before, was refused: it did not land, and nothing was logged as failed.
      const after = await events(second);
      const reattached = after.filter(({ type }) => type === 'OrderReattached');
      expect(reattached.map(({ order_id, data }) => [order_id, data.held_by])).toEqual([
        [served.body.order_id, instanceOf(second)],
      ]);
      expect(
        after.filter(
          ({ type, order_id }) => type === 'OrderCancelled' && order_id === served.body.order_id,
        ),
      ).toEqual([]);
      expect(second.log).not.toMatch(/withdrawing order \S+ failed/);
    });
  },
);

/** How long the survivors keep a dead café's keyed orders for their customers, in the fleet's test. */
const FLEET_REATTACH_SECONDS = 15;

describeWithPostgres().each(HTTP_ADAPTERS)(
  'orders held by a café of a fleet that was killed, on %s (PostgreSQL)',
  (adapter) => {
    let database: TestDatabase;
    const servers: CafeProcess[] = [];
    beforeAll(async () => (database = await createTestDatabase()));
    afterAll(async () => {
      await Promise.all(servers.map((server) => server.kill()));
      await database.drop();
    });

    it('the survivors withdraw its keyless orders, and its keyed ones after the window unless re-attached; the log names every holder', async () => {
      const start = async () => {
        const server = await CafeProcess.startCafe({
          HTTP_ADAPTER: adapter,
          EVENT_STORE: database.url,
          ORPHAN_REATTACH_SECONDS: String(FLEET_REATTACH_SECONDS),
        });
        servers.push(server);
        return server;
      };
      // Two survivors, so that both race for each withdrawal.
      const [dying, survivor, other] = [await start(), await start(), await start()];
      const order = (localAddress: string, headers: Record<string, string> = {}) =>
        call(dying.customerPort, 'POST', '/order/', { localAddress, headers }).catch(
          (error: Error) => error,
        );
      const held = Array.from({ length: 20 }, (_, i) => order(`127.0.60.${i + 1}`));
      const keyed = ['comes-back', 'never-comes-back'].map((key, i) =>
        order(`127.0.62.${i + 1}`, { 'idempotency-key': key }),
      );
      const own = call(survivor.customerPort, 'POST', '/order/', { localAddress: '127.0.61.1' });
      await eventually(async () => (await survivor.queue()).queued === 23, 20_000);
      const placed = (await events(survivor)).filter(({ type }) => type === 'OrderPlaced');
      const keyOf = (key: string) =>
        placed.find(({ data }) => data.idempotency?.key === key)?.order_id as string;
      const [comesBack, neverComesBack] = [keyOf('comes-back'), keyOf('never-comes-back')];

      await dying.kill();
      for (const answer of await Promise.all([...held, ...keyed])) {
        expect(answer).not.toHaveProperty('status'); // the connection died with the process
      }
      // 30 s without a word from it, then each survivor's next look (every 5 s): both note the
      // keyed orders' versions and start their windows.
      for (const server of [survivor, other]) {
        await server.said(`order ${comesBack} was held by instance`, 60_000);
      }
      await eventually(async () => (await survivor.queue()).queued === 3, 20_000);

      // Within the window, one customer with a key comes back, to one survivor.
      const back = call(survivor.customerPort, 'POST', '/order/', {
        headers: { 'idempotency-key': 'comes-back' },
      });
      await survivor.said(`order ${comesBack}: its customer came back here`);
      await eventually(
        async () =>
          (await other.customer('GET', `/orders/${neverComesBack}`)).body.cancel_reason ===
          'not_reattached',
        (FLEET_REATTACH_SECONDS + 10) * 1000,
      );
      // Both survivors' windows are over (they started at most 5 s apart).
      await sleep(6_000);

      const log = await events(other);
      const holder = instanceOf(dying);
      expect(placed.find(({ order_id }) => order_id === comesBack)?.data.held_by).toBe(holder);
      const cancelled = log.filter(({ type }) => type === 'OrderCancelled');
      // Each of its orders withdrawn once, whichever survivor landed it, the re-attached one not.
      expect(cancelled.map(({ order_id }) => order_id).sort()).toEqual(
        placed
          .filter(({ data, order_id }) => data.held_by === holder && order_id !== comesBack)
          .map(({ order_id }) => order_id)
          .sort(),
      );
      for (const { order_id, data } of cancelled) {
        expect(data.reason).toBe(order_id === neverComesBack ? 'not_reattached' : 'holder_died');
      }
      expect(
        log
          .filter(({ type }) => type === 'OrderReattached')
          .map(({ order_id, data }) => [order_id, data.held_by]),
      ).toEqual([[comesBack, instanceOf(survivor)]]);
      for (const server of [survivor, other]) {
        await server.said(`held by instance ${holder}, which is gone`);
        // The withdrawals the other survivor landed first, or that the re-attach took back,
        // were refused by their version and said nothing.
        expect(server.log).not.toMatch(/withdrawing order \S+ failed/);
      }
      expect((await other.customer('GET', `/orders/${comesBack}`)).body.status).toBe('queued');

      // A barista on the other survivor serves both left; each waiting customer gets theirs.
      for (let i = 0; i < 2; i++) {
        const started = await other.barista('GET', '/start/');
        expect(
          (await other.barista('POST', `/finish/?order_id=${started.body.order_id}`)).status,
        ).toBe(200);
      }
      const served = await back;
      expect(served.status).toBe(200);
      expect(served.body).toMatchObject({ order_id: comesBack, status: 'ready' });
      expect((await own).status).toBe(200);
    });
  },
);
