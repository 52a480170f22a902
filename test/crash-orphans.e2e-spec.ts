import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
    });
  },
);

describeWithPostgres()('orders held by a café of a fleet that was killed (PostgreSQL)', () => {
  let database: TestDatabase;
  const servers: CafeProcess[] = [];
  beforeAll(async () => (database = await createTestDatabase()));
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.kill()));
    await database.drop();
  });

  it('a survivor withdraws the keyless orders the dead one held, and names it', async () => {
    const start = async () => {
      const server = await CafeProcess.startCafe({ EVENT_STORE: database.url });
      servers.push(server);
      return server;
    };
    const [dying, survivor] = [await start(), await start()];
    const held = Array.from({ length: 20 }, (_, i) =>
      call(dying.customerPort, 'POST', '/order/', { localAddress: `127.0.60.${i + 1}` }).catch(
        (error: Error) => error,
      ),
    );
    const own = call(survivor.customerPort, 'POST', '/order/', { localAddress: '127.0.61.1' });
    await eventually(async () => (await survivor.queue()).queued === 21, 20_000);

    await dying.kill();
    await Promise.all(held);
    // 30 s without a word from it, then the survivor's next look (every 5 s).
    await eventually(async () => (await survivor.queue()).queued === 1, 60_000);
    const log = await events(survivor);
    const withdrawn = log.filter(({ type }) => type === 'OrderCancelled');
    const holder = log.find(
      ({ type, order_id }) => type === 'OrderPlaced' && order_id === withdrawn[0]?.order_id,
    )?.data.held_by as string;
    expect(withdrawn).toHaveLength(20);
    for (const { data } of withdrawn) expect(data.reason).toBe('holder_died');
    await survivor.said(`held by instance ${holder}, which is gone`);

    // The survivor's own customer is still served.
    const started = await survivor.barista('GET', '/start/');
    await survivor.barista('POST', `/finish/?order_id=${started.body.order_id}`);
    expect((await own).status).toBe(200);
  });
});
