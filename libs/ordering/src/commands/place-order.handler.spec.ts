import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import type Database from 'better-sqlite3';
import { CommandBus } from '@nestjs/cqrs';
import { CoreModule } from '../core.module';
import { IdempotencyKeyReused } from '../domain/errors';
import { EventStore } from '../event-store/event-store';
import { SqliteEventStore } from '../event-store/sqlite-event-store';
import { PlaceOrderCommand } from './place-order.command';

describe('placing orders with an Idempotency-Key on the SQLite store', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'cafe-keys-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('places one order for simultaneous commands with one new key, and answers each only once it is on disk', async () => {
    const core = await NestFactory.createApplicationContext(
      CoreModule.forRoot({ eventStore: { kind: 'sqlite', path: join(dir, 'keys.db') } }),
      { logger: false },
    );
    try {
      const store = core.get(EventStore);
      expect(store).toBeInstanceOf(SqliteEventStore);
      const bus = core.get(CommandBus);
      const claim = { key: 'same', fingerprint: 'f1' };
      // The store's own connection: the file is locked against any other.
      const db = (store as unknown as { db: Database.Database }).db;
      const rowsOnDisk = () =>
        (db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
      const onDiskWhenAnswered: number[] = [];
      const answers = await Promise.all(
        Array.from({ length: 5 }, () =>
          bus.execute(new PlaceOrderCommand('americano', '127.0.0.1', claim)).then((order) => {
            onDiskWhenAnswered.push(rowsOnDisk());
            return order;
          }),
        ),
      );
      expect(new Set(answers.map((order) => order.orderId)).size).toBe(1);
      expect(onDiskWhenAnswered).toEqual([1, 1, 1, 1, 1]);
      expect([...(await store.readAll())]).toHaveLength(1);

      await expect(
        bus.execute(
          new PlaceOrderCommand('americano', '127.0.0.1', { key: 'same', fingerprint: 'f2' }),
        ),
      ).rejects.toThrow(IdempotencyKeyReused);
    } finally {
      await core.close();
    }
  });
});
