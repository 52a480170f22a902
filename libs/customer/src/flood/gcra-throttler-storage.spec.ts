import fc from 'fast-check';
import { type ThrottlerStorage, ThrottlerStorageService } from '@nestjs/throttler';
import { ManualClock } from '../../../../test/support/manual-clock';
import { GcraThrottlerStorage } from './gcra-throttler-storage';

/** The café's two throttlers, as the guard runs them (sustained only if burst let the order by). */
interface Limits {
  burst: { ttl: number; limit: number };
  sustained: { ttl: number; limit: number };
  block: number;
}

const DOCUMENTED: Limits = {
  burst: { ttl: 10_000, limit: 300 },
  sustained: { ttl: 3_600_000, limit: 1_000 },
  block: 900_000,
};

/** What the guard answers one order: 200, or 429 with its Retry-After. */
async function answer(storage: ThrottlerStorage, address: string, limits: Limits) {
  for (const name of ['burst', 'sustained'] as const) {
    const { ttl, limit } = limits[name];
    const record = await storage.increment(`${name}:${address}`, ttl, limit, limits.block, name);
    if (record.isBlocked) return `429 Retry-After ${record.timeToBlockExpire}`;
  }
  return '200';
}

interface Episode {
  address: number;
  /** A group that stays within the limits, or a flood that arrives at once and exceeds one. */
  flood: boolean;
  size: number;
  /** Between a group's orders; a flood's arrive in the same millisecond. */
  spreadMs: number;
  /** After the address's previous episode, beyond the shortest gap the limits allow. */
  extraGapMs: number;
}

const episode = fc.record({
  address: fc.integer({ min: 0, max: 2 }),
  flood: fc.boolean(),
  size: fc.double({ min: 0, max: 1, noNaN: true }),
  spreadMs: fc.integer({ min: 0, max: 100 }),
  extraGapMs: fc.integer({ min: 0, max: 2_000_000 }),
});

/**
 * Orders at the times the documented limits speak of: groups of at most the tighter limit,
 * each after the burst window has passed since the address's last order, and no more than the
 * sustained limit in all unless a whole sustained window has passed; floods of more than the
 * tighter limit arriving at once, after the same gaps (and from a sustained window of their own
 * when the sustained limit is the one they exceed). Between these, a sliding window and a
 * bucket that drains at the same rate must agree; inside them, they differ by design (ADR 0002).
 */
function schedule(episodes: Episode[], limits: Limits): { at: number; address: string }[] {
  const tighter = Math.min(limits.burst.limit, limits.sustained.limit);
  const last = new Map<number, { at: number; counted: number }>();
  const orders: { at: number; address: string }[] = [];
  for (const { address, flood, size, spreadMs, extraGapMs } of episodes) {
    const count = flood
      ? tighter + 1 + Math.floor(size * 2 * tighter)
      : 1 + Math.floor(size * (tighter - 1));
    const counted = flood ? tighter + 1 : count;
    const previous = last.get(address) ?? { at: -Infinity, counted: 0 };
    const fresh =
      previous.counted + counted > limits.sustained.limit ||
      (flood && limits.sustained.limit <= limits.burst.limit);
    const gap = fresh ? limits.sustained.ttl : limits.burst.ttl;
    let at = Math.max(0, previous.at + gap) + extraGapMs;
    for (let i = 0; i < count; i++) {
      orders.push({ at, address: `10.0.0.${address}` });
      if (!flood && i < count - 1) at += spreadMs;
    }
    last.set(address, { at, counted: (fresh ? 0 : previous.counted) + counted });
  }
  return orders.sort((a, b) => a.at - b.at);
}

async function play(orders: { at: number; address: string }[], limits: Limits) {
  const start = 1_000_000_000;
  const clock = new ManualClock(start);
  // The library's storage reads the machine's clock: it is shown ours.
  const machineClock = jest.spyOn(Date, 'now').mockImplementation(() => clock.now());
  const theirs = new ThrottlerStorageService();
  const ours = new GcraThrottlerStorage(1_000, clock);
  const answers: { theirs: string; ours: string }[] = [];
  for (const { at, address } of orders) {
    if (start + at > clock.now()) await clock.advance(start + at - clock.now());
    answers.push({
      theirs: await answer(theirs, address, limits),
      ours: await answer(ours, address, limits),
    });
  }
  theirs.onApplicationShutdown();
  ours.onApplicationShutdown();
  machineClock.mockRestore();
  return answers;
}

// Hundreds of played sequences: a few seconds on a quiet machine, past Jest's 5 s on a loaded one.
const PROPERTY_DEADLINE_MS = 120_000;

describe('GcraThrottlerStorage', () => {
  it(
    'answers 200 and 429 (with the same Retry-After) exactly as a sliding window at the documented limits',
    async () => {
      let blocked = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(episode, { minLength: 1, maxLength: 12 }), async (episodes) => {
          const answers = await play(schedule(episodes, DOCUMENTED), DOCUMENTED);
          for (const { theirs, ours } of answers) expect(ours).toBe(theirs);
          blocked += answers.filter(({ ours }) => ours !== '200').length;
        }),
        { numRuns: 25 },
      );
      expect(blocked).toBeGreaterThan(0);
    },
    PROPERTY_DEADLINE_MS,
  );

  it(
    'does so at any limits, the sustained one the tighter or not',
    async () => {
      const limits = fc
        .record({
          burstLimit: fc.integer({ min: 1, max: 30 }),
          burstSeconds: fc.integer({ min: 1, max: 20 }),
          sustainedLimit: fc.integer({ min: 1, max: 60 }),
          longer: fc.integer({ min: 2, max: 10 }),
          blockSeconds: fc.integer({ min: 1, max: 300 }),
        })
        .map(({ burstLimit, burstSeconds, sustainedLimit, longer, blockSeconds }) => ({
          burst: { ttl: burstSeconds * 1000, limit: burstLimit },
          sustained: { ttl: burstSeconds * longer * 1000, limit: sustainedLimit },
          block: blockSeconds * 1000,
        }));
      await fc.assert(
        fc.asyncProperty(limits, fc.array(episode, { maxLength: 15 }), async (chosen, episodes) => {
          for (const { theirs, ours } of await play(schedule(episodes, chosen), chosen)) {
            expect(ours).toBe(theirs);
          }
        }),
        { numRuns: 200 },
      );
    },
    PROPERTY_DEADLINE_MS,
  );

  it('lets 300 at once by and blocks the 301st; drains at 30 a second (not a sliding window)', async () => {
    const clock = new ManualClock(1_000_000);
    const storage = new GcraThrottlerStorage(10, clock);
    const burst = () => storage.increment('burst:a', 10_000, 300, 900_000, 'burst');
    for (let i = 0; i < 300; i++) expect((await burst()).isBlocked).toBe(false);
    await clock.advance(1_000); // 30 orders' worth drained
    for (let i = 0; i < 30; i++) expect((await burst()).isBlocked).toBe(false);
    expect(await burst()).toMatchObject({ isBlocked: true, timeToBlockExpire: 900 });
    await clock.advance(899_500);
    expect(await burst()).toMatchObject({ isBlocked: true, timeToBlockExpire: 1 });
    await clock.advance(500);
    // The first order after the block counts as one, as in a new window.
    expect(await burst()).toMatchObject({ isBlocked: false, totalHits: 1 });
    storage.onApplicationShutdown();
  });

  it('drops a key once its bucket is empty, and a blocked one once its block is over', async () => {
    const clock = new ManualClock(1_000_000);
    const storage = new GcraThrottlerStorage(10, clock);
    await storage.increment('burst:idle', 1_000, 10, 120_000, 'burst');
    await storage.increment('burst:blocked', 1_000, 1, 120_000, 'burst');
    await storage.increment('burst:blocked', 1_000, 1, 120_000, 'burst');
    expect(storage.size).toBe(2);
    await clock.advance(60_000); // the sweep
    expect(storage.size).toBe(1);
    expect((await storage.increment('burst:blocked', 1_000, 1, 120_000, 'burst')).isBlocked).toBe(
      true,
    );
    await clock.advance(120_000);
    expect(storage.size).toBe(0);
    storage.onApplicationShutdown();
  });

  it('keeps at most its cap of keys: a new one pushes out the one counted longest ago', async () => {
    const storage = new GcraThrottlerStorage(3, new ManualClock(1_000_000));
    const order = (address: string) =>
      storage.increment(`burst:${address}`, 10_000, 5, 120_000, 'burst');
    for (const address of ['a', 'b', 'c']) {
      await order(address);
      await order(address);
    }
    await order('a'); // a is now the one counted last; b the one counted longest ago
    expect(await order('new')).toMatchObject({ isBlocked: false, totalHits: 1 });
    expect(storage.size).toBe(3);
    expect((await order('a')).totalHits).toBe(4);
    expect((await order('c')).totalHits).toBe(3);
    expect((await order('b')).totalHits).toBe(1); // forgotten: counted again from zero
    expect(storage.size).toBe(3);
    storage.onApplicationShutdown();
  });
});
