import fc from 'fast-check';
import Redis from 'ioredis';
import type { FloodRedis } from '../libs/customer/src/flood/flood-redis';
import { countOrder } from '../libs/customer/src/flood/gcra-throttler-storage';
import { SharedThrottlerStorage } from '../libs/customer/src/flood/shared-throttler-storage';
import { describeWithRedis, dropKeys, REDIS_URL, testKeyPrefix } from './support/redis';

describeWithRedis()("the fleet's throttler script in Redis", () => {
  let client: Redis;
  let prefix: string;
  let storage: SharedThrottlerStorage;

  beforeAll(() => {
    client = new Redis(REDIS_URL);
    prefix = testKeyPrefix();
    const redis = { client, shared: true, key: (name: string) => prefix + name };
    storage = new SharedThrottlerStorage(redis as unknown as FloodRedis, {
      increment: () => Promise.reject(new Error('Redis is up: the local storage is not asked')),
    });
  });

  afterAll(async () => {
    await dropKeys(prefix);
    client.disconnect();
  });

  it('counts and blocks exactly as the in-process storage over random sequences', async () => {
    const step = fc.record({
      key: fc.constantFrom('a', 'b'),
      afterMs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 400 })),
    });
    const limits = fc.record({
      ttl: fc.integer({ min: 1, max: 20 }).map((seconds) => seconds * 1000),
      limit: fc.integer({ min: 1, max: 40 }),
      block: fc.integer({ min: 1, max: 5 }).map((seconds) => seconds * 1000),
    });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(limits, fc.array(step, { maxLength: 120 }), async (chosen, steps) => {
        const { ttl, limit, block } = chosen;
        const states = new Map<string, number>();
        let now = 1_700_000_000_000;
        run++;
        for (const { key, afterMs } of steps) {
          now = Math.floor(now + afterMs);
          const local = countOrder(states.get(key), now, ttl, limit, block);
          states.set(key, local.state);
          const shared = await storage.count(`${prefix}${run}:${key}`, ttl, limit, block, now);
          expect(shared).toEqual(local.record);
        }
      }),
      { numRuns: 60 },
    );
  });

  it("keeps a key only while it matters, by Redis's own clock", async () => {
    const key = `${prefix}expiring`;
    expect(await storage.increment('expiring', 1_000, 10, 60_000, 'burst')).toMatchObject({
      isBlocked: false,
      totalHits: 1,
    });
    // One order of ten a second empties its bucket in 100 ms: the key lives that long.
    expect(await client.pttl(key)).toBeLessThanOrEqual(100);
    expect(await client.pttl(key)).toBeGreaterThan(0);
    await storage.increment('blocked', 1_000, 1, 60_000, 'burst');
    expect(await storage.increment('blocked', 1_000, 1, 60_000, 'burst')).toMatchObject({
      isBlocked: true,
      timeToBlockExpire: 60,
    });
    expect(await client.pttl(`${prefix}blocked`)).toBeGreaterThan(59_000);
  });
});
