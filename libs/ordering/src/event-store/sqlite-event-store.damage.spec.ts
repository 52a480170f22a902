import {
  copyFileSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OrderFinished, OrderPlaced, OrderStarted } from '../events';
import { QueueProjection } from '../projections/queue.projection';
import type { StoredEvent } from './event-store';
import { EventLogUnreadable, SqliteEventStore } from './sqlite-event-store';

/**
 * A damaged file is either recovered to its last complete transaction or refused with a
 * message naming it; it is never read in part. These open it as `make rebuild-views` does,
 * checking the whole file; the flipped bytes of the file are also started on as the café
 * does, which checks what it reads, to show what a start refuses and what it leaves to that
 * full check.
 */
describe('a damaged SQLite log', () => {
  let dir: string;
  let original: string;
  /** Log length after each committed transaction. */
  const boundaries: number[] = [0];
  let events: StoredEvent[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cafe-damage-'));
    original = join(dir, 'original.db');
    const store = new SqliteEventStore(original, []);
    for (let turn = 0; turn < 12; turn++) {
      // Three orders per turn share one transaction; then two of them move on in the next.
      const ids = [0, 1, 2].map((i) => `order-${turn}-${i}`);
      await Promise.all(
        ids.map((id) => store.append(id, [new OrderPlaced(id, 'americano', '10.0.0.1', turn)], 0)),
      );
      boundaries.push([...(await store.readAll())].length);
      await Promise.all([
        store.append(ids[0], [new OrderStarted(ids[0], turn), new OrderFinished(ids[0], turn)], 1),
        store.append(ids[1], [new OrderStarted(ids[1], turn)], 1),
      ]);
      boundaries.push([...(await store.readAll())].length);
    }
    events = [...(await store.readAll())];
    // Copied while open, as a kill -9 would leave them: the commits are in the WAL, not checkpointed.
    copyFileSync(original, `${original}.crashed`);
    copyFileSync(`${original}-wal`, `${original}.crashed-wal`);
    await store.close(); // checkpoints: `original` alone now holds every event
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  let n = 0;
  /** Opens a copy made by `damage` as `make rebuild-views` does; the events read, or the refusal. */
  async function openDamaged(
    damage: (file: string) => void,
  ): Promise<StoredEvent[] | EventLogUnreadable> {
    return refusedOr(damage, async (file) => {
      const store = new SqliteEventStore(file, [], { rebuild: true });
      const read = [...(await store.readAll())];
      await store.close();
      return read;
    });
  }

  /** Starts on a copy made by `damage` as the café does; its live views, or the refusal. */
  async function startDamaged(damage: (file: string) => void) {
    return refusedOr(damage, async (file) => {
      const queue = new QueueProjection();
      await new SqliteEventStore(file, [queue]).close();
      return { queued: queue.ids(), brewing: [...queue.brewingByStart()] };
    });
  }

  async function refusedOr<T>(
    damage: (file: string) => void,
    open: (file: string) => Promise<T>,
  ): Promise<T | EventLogUnreadable> {
    const file = join(dir, `copy-${++n}.db`);
    damage(file);
    try {
      return await open(file);
    } catch (error) {
      if (!(error instanceof EventLogUnreadable)) throw error;
      expect(error.message).toContain(file);
      expect(error.message).toContain('refusing to start');
      return error;
    }
  }

  it('recovers a WAL cut at any byte to the last transaction that was complete before the cut', async () => {
    const wal = readFileSync(`${original}.crashed-wal`);
    let previous = 0;
    const step = Math.max(1, Math.floor(wal.length / 300));
    const cuts = Array.from({ length: Math.ceil(wal.length / step) }, (_, i) => i * step);
    for (const cut of [...cuts, wal.length]) {
      const read = await openDamaged((file) => {
        copyFileSync(`${original}.crashed`, file);
        writeFileSync(`${file}-wal`, wal.subarray(0, cut));
      });
      expect(read).not.toBeInstanceOf(EventLogUnreadable);
      const recovered = read as StoredEvent[];
      expect(boundaries).toContain(recovered.length);
      expect(recovered.length).toBeGreaterThanOrEqual(previous); // a longer WAL never recovers less
      expect(recovered).toEqual(events.slice(0, recovered.length));
      previous = recovered.length;
    }
    expect(previous).toBe(events.length);
  });

  it('refuses a checkpointed file cut at any byte, or reads all of it', async () => {
    const size = readFileSync(original).length;
    let refused = 0;
    for (let cut = 1; cut < size; cut += 97) {
      const read = await openDamaged((file) => {
        copyFileSync(original, file);
        truncateSync(file, cut);
      });
      if (read instanceof EventLogUnreadable) refused++;
      else expect(read).toEqual(events);
    }
    expect(refused).toBeGreaterThan(0);
  });

  it('reads a WAL with a flipped byte up to the last intact transaction before it, or refuses it', async () => {
    const wal = readFileSync(`${original}.crashed-wal`);
    const outcomes = { refused: 0, cutShort: 0, whole: 0 };
    let previous = 0;
    for (let at = 0; at < wal.length; at += Math.floor(wal.length / 500)) {
      const read = await openDamaged((file) => {
        copyFileSync(`${original}.crashed`, file);
        const flipped = Buffer.from(wal);
        flipped[at] ^= 0x20;
        writeFileSync(`${file}-wal`, flipped);
      });
      if (read instanceof EventLogUnreadable) {
        outcomes.refused++;
        continue;
      }
      expect(boundaries).toContain(read.length);
      expect(read).toEqual(events.slice(0, read.length));
      expect(read.length).toBeGreaterThanOrEqual(previous); // a later flip never recovers less
      previous = read.length;
      outcomes[read.length === events.length ? 'whole' : 'cutShort']++;
    }
    // Every frame is checksummed, so no flip goes unnoticed; and a flip costs the transactions
    // from it on, not the whole log: most damaged WALs are recovered, not refused.
    expect(outcomes.whole).toBe(0);
    expect(outcomes.cutShort).toBeGreaterThan(outcomes.refused);
  });

  // Each flip is opened twice: as `make rebuild-views` does (the whole file checked) and as a
  // start does (what it reads checked), to show which of them refuses it.
  it('refuses a file with a flipped byte anywhere that matters, and otherwise reads it all; a start refuses it or has the live views of the intact file', async () => {
    const bytes = readFileSync(original);
    const flipped = (at: number) => (file: string) => {
      const copy = Buffer.from(bytes);
      copy[at] ^= 0x20;
      writeFileSync(file, copy);
    };
    const intact = await startDamaged((file) => copyFileSync(original, file));
    expect(intact).not.toBeInstanceOf(EventLogUnreadable);
    const outcomes = { refusedAtStart: 0, refusedByTheFullCheckOnly: 0, neither: 0 };
    for (let at = 0; at < bytes.length; at += 13) {
      const started = await startDamaged(flipped(at));
      const full = await openDamaged(flipped(at));
      if (started instanceof EventLogUnreadable) {
        expect(full).toBeInstanceOf(EventLogUnreadable);
        outcomes.refusedAtStart++;
        continue;
      }
      expect(started).toEqual(intact);
      if (full instanceof EventLogUnreadable) outcomes.refusedByTheFullCheckOnly++;
      else {
        expect(full).toEqual(events);
        outcomes.neither++;
      }
    }
    expect(outcomes.refusedAtStart).toBeGreaterThan(0);
    expect(outcomes.refusedByTheFullCheckOnly).toBeGreaterThan(0);
  });
});
