import { ThrottlerStorageService } from '@nestjs/throttler';
import { SeededRandom } from '@cafe/simulation';
import { CompactThrottlerStorage } from './compact-throttler-storage';

describe('CompactThrottlerStorage', () => {
  afterEach(() => jest.useRealTimers());

  it("counts, blocks and unblocks exactly as @nestjs/throttler's own storage", async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const theirs = new ThrottlerStorageService();
    const ours = new CompactThrottlerStorage();
    const random = new SeededRandom(13);
    const windows = [
      { name: 'burst', ttl: 2_000, limit: 5, blockDuration: 3_000 },
      { name: 'sustained', ttl: 10_000, limit: 12, blockDuration: 1_000 },
    ];
    let blocked = 0;
    for (let step = 0; step < 3_000; step++) {
      jest.advanceTimersByTime(Math.floor(random.next() * 100));
      const { name, ttl, limit, blockDuration } = windows[step % 2];
      const key = `${name}:10.0.0.${Math.floor(random.next() * 3)}`;
      const expected = await theirs.increment(key, ttl, limit, blockDuration, name);
      expect(await ours.increment(key, ttl, limit, blockDuration, name)).toEqual(expected);
      if (expected.isBlocked) blocked++;
    }
    expect(blocked).toBeGreaterThan(100);
    theirs.onApplicationShutdown();
    ours.onApplicationShutdown();
  });

  it('drops a window once it and its hits have expired', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const storage = new CompactThrottlerStorage();
    await storage.increment('burst:10.0.0.1', 1_000, 1, 5_000, 'burst');
    await storage.increment('burst:10.0.0.1', 1_000, 1, 5_000, 'burst'); // blocked for 5 s
    jest.advanceTimersByTime(60_000);
    // A new window, as for an address never seen: its block "expired" at time 0, not 55 s ago.
    expect(await storage.increment('burst:10.0.0.1', 1_000, 1, 5_000, 'burst')).toEqual({
      totalHits: 1,
      timeToExpire: 1,
      isBlocked: false,
      timeToBlockExpire: Math.ceil(-Date.now() / 1000),
    });
    storage.onApplicationShutdown();
  });
});
