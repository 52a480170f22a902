import { EventEmitter } from 'node:events';
import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { ThrottlerStorage } from '@nestjs/throttler';
import fc from 'fast-check';
import Redis from 'ioredis';
import { TooManyRequests, TrustedProxies } from '@cafe/http';
import type { CafeMetrics } from '@cafe/ordering';
import { floodThrottlers } from '../libs/customer/src/flood/flood-defence.options';
import type { FloodCutOff } from '../libs/customer/src/flood/flood-cut-off';
import type { FloodRedis } from '../libs/customer/src/flood/flood-redis';
import { FloodGuard } from '../libs/customer/src/flood/flood.guard';
import { GcraThrottlerStorage } from '../libs/customer/src/flood/gcra-throttler-storage';
import { SharedThrottlers } from '../libs/customer/src/flood/shared-throttlers';
import type { WaitingPerAddress } from '../libs/customer/src/flood/waiting-per-address';
import { freePort } from './support/http-client';
import { ManualClock } from './support/manual-clock';
import { describeWithRedis, dropKeys, REDIS_URL, testKeyPrefix } from './support/redis';

// Each property plays thousands of orders, each through both guards.
jest.setTimeout(120_000);

type Limits = Parameters<typeof floodThrottlers>[0];

/** The café's defaults (docs/configuration.md). */
const DOCUMENTED: Limits = {
  burst: { limit: 300, seconds: 10 },
  sustained: { limit: 1000, seconds: 3600 },
  blockSeconds: 900,
};

/**
 * The test's clock starts in 2096: keys expire at times of the clock the script counts at, so
 * none expires by Redis's own while a test plays, however slowly (`dropKeys` deletes them).
 */
const START = 4_000_000_000_000;

/** Stands for the local storage where the guard must not fall back to it. */
const NOT_ASKED: ThrottlerStorage = {
  increment: () => Promise.reject(new Error('Redis is up: the local storage is not asked')),
};

/**
 * The customer app's guard on `limits`, counting in Redis through `shared` or, without it, in
 * `local`: the waiting places and the cut-off, which are not what is compared, always let by.
 */
async function floodGuard(
  limits: Limits,
  local: ThrottlerStorage,
  shared: SharedThrottlers | null,
): Promise<{ guard: FloodGuard; refusedBy: () => string | undefined }> {
  let lastRefusal: string | undefined;
  const metrics = { countThrottled: (name: string) => (lastRefusal = name) };
  const guard = new FloodGuard(
    { throttlers: floodThrottlers(limits), setHeaders: false },
    local,
    shared,
    new Reflector(),
    TrustedProxies.none,
    { tryEnter: async () => true, release: () => undefined } as unknown as WaitingPerAddress,
    metrics as unknown as CafeMetrics,
    { block: () => undefined } as unknown as FloodCutOff,
  );
  await guard.onModuleInit();
  const refusedBy = () => {
    const name = lastRefusal;
    lastRefusal = undefined;
    return name;
  };
  return { guard, refusedBy };
}

/** The guard's answer to one order from `address`: 200, or 429 with the throttler and Retry-After. */
async function answer(
  { guard, refusedBy }: Awaited<ReturnType<typeof floodGuard>>,
  address: string,
): Promise<string> {
  const socket = Object.assign(new EventEmitter(), { remoteAddress: address, closed: false });
  const request = { socket, headers: {} };
  const response = Object.assign(new EventEmitter(), { req: request });
  const context = {
    getHandler: () => answer,
    getClass: () => FloodGuard,
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => response }),
  } as unknown as ExecutionContext;
  try {
    expect(await guard.canActivate(context)).toBe(true);
    return '200';
  } catch (error) {
    if (!(error instanceof TooManyRequests)) throw error;
    return `429 ${refusedBy()} Retry-After ${error.retryAfterSeconds}`;
  }
}

interface Episode {
  readonly address: number;
  readonly size: number;
  readonly spreadMs: number;
  readonly gapMs: number;
}

/** Orders from a few addresses: groups and floods, each after a gap from its address's last. */
const episodes: fc.Arbitrary<Episode[]> = fc.array(
  fc.record({
    address: fc.integer({ min: 1, max: 3 }),
    size: fc.integer({ min: 1, max: 400 }),
    /** Between the episode's orders: under 33 ms, 300 of them outrun the burst bucket's drain. */
    spreadMs: fc.integer({ min: 0, max: 60 }),
    gapMs: fc.oneof(fc.integer({ min: 0, max: 20_000 }), fc.integer({ min: 0, max: 1_200_000 })),
  }),
  { minLength: 1, maxLength: 8 },
);

/** The episodes' orders in time, the addresses' interleaved. */
function schedule(chosen: Episode[]): { at: number; address: string }[] {
  const next = new Map<number, number>();
  const orders: { at: number; address: string }[] = [];
  for (const { address, size, spreadMs, gapMs } of chosen) {
    let at = (next.get(address) ?? 0) + gapMs;
    for (let i = 0; i < size; i++, at += spreadMs) {
      orders.push({ at, address: `10.0.0.${address}` });
    }
    next.set(address, at);
  }
  return orders.sort((a, b) => a.at - b.at);
}

describeWithRedis()("the fleet's throttlers in one Redis script", () => {
  let client: Redis;
  let prefix: string;
  let runs = 0;

  /** Redis as `FloodRedis` shows it to the throttlers, under a prefix of its own. */
  const floodRedis = (shared = true) => {
    const scope = `${prefix}${++runs}:`;
    return {
      client,
      shared,
      key: (name: string) => scope + name,
      failed: jest.fn(),
    } as unknown as FloodRedis & { failed: jest.Mock };
  };

  beforeAll(() => {
    client = new Redis(REDIS_URL);
    prefix = testKeyPrefix();
  });

  afterAll(async () => {
    await dropKeys(prefix);
    client.disconnect();
  });

  /** The same orders through the guard on this instance's storage and on Redis, at the same times. */
  async function playBoth(limits: Limits, orders: { at: number; address: string }[]) {
    const clock = new ManualClock(START);
    const local = new GcraThrottlerStorage(1_000, clock);
    const inMemory = await floodGuard(limits, local, null);
    const onRedis = await floodGuard(limits, NOT_ASKED, new SharedThrottlers(floodRedis(), clock));
    const answers: { inMemory: string; onRedis: string }[] = [];
    for (const { at, address } of orders) {
      if (START + at > clock.now()) await clock.advance(START + at - clock.now());
      answers.push({
        inMemory: await answer(inMemory, address),
        onRedis: await answer(onRedis, address),
      });
    }
    local.onApplicationShutdown();
    return answers;
  }

  it('lets by, refuses and blocks every order as the in-memory storage does, at the documented limits', async () => {
    const refusals = new Set<string>();
    await fc.assert(
      fc.asyncProperty(episodes, async (chosen) => {
        for (const { inMemory, onRedis } of await playBoth(DOCUMENTED, schedule(chosen))) {
          expect(onRedis).toBe(inMemory);
          if (onRedis !== '200') refusals.add(onRedis.split(' ')[1]);
        }
      }),
      {
        numRuns: 10,
        // Besides the random runs: a flood of 350 at once, and 1,160 orders in four groups of
        // 290 twenty seconds apart (within the burst limit, over the hour's).
        examples: [
          [[{ address: 1, size: 350, spreadMs: 0, gapMs: 0 }]],
          [
            Array.from({ length: 4 }, () => ({
              address: 2,
              size: 290,
              spreadMs: 0,
              gapMs: 20_000,
            })),
          ],
        ],
      },
    );
    // Both throttlers blocked in the runs: each rule was played, not only the passes.
    expect([...refusals].sort()).toEqual(['burst', 'sustained']);
  });

  it('does so at any limits, the sustained one the tighter or not', async () => {
    const limits = fc
      .record({
        burstLimit: fc.integer({ min: 1, max: 30 }),
        burstSeconds: fc.integer({ min: 1, max: 20 }),
        sustainedLimit: fc.integer({ min: 1, max: 60 }),
        longer: fc.integer({ min: 2, max: 10 }),
        blockSeconds: fc.integer({ min: 1, max: 300 }),
      })
      .map(({ burstLimit, burstSeconds, sustainedLimit, longer, blockSeconds }) => ({
        burst: { limit: burstLimit, seconds: burstSeconds },
        sustained: { limit: sustainedLimit, seconds: burstSeconds * longer },
        blockSeconds,
      }));
    const steps = fc.array(
      fc.record({
        address: fc.constantFrom('10.0.0.1', '10.0.0.2'),
        afterMs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 3_000 })),
      }),
      { maxLength: 150 },
    );
    await fc.assert(
      fc.asyncProperty(limits, steps, async (chosen, chosenSteps) => {
        let at = 0;
        const orders = chosenSteps.map(({ address, afterMs }) => ({
          at: (at += afterMs),
          address,
        }));
        for (const { inMemory, onRedis } of await playBoth(chosen, orders)) {
          expect(onRedis).toBe(inMemory);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('costs one Redis round trip per order, let by, blocking or blocked', async () => {
    const shared = new SharedThrottlers(floodRedis(), new ManualClock(START));
    const guard = await floodGuard(DOCUMENTED, NOT_ASKED, shared);
    const sent = jest.spyOn(client, 'sendCommand');
    try {
      for (let i = 0; i < 200; i++) expect(await answer(guard, '10.0.0.9')).toBe('200');
      expect(sent).toHaveBeenCalledTimes(200); // a group of 200 passes
      for (let i = 0; i < 100; i++) expect(await answer(guard, '10.0.0.9')).toBe('200');
      expect(await answer(guard, '10.0.0.9')).toBe('429 burst Retry-After 900'); // the 301st
      expect(await answer(guard, '10.0.0.9')).toBe('429 burst Retry-After 900');
      expect(sent).toHaveBeenCalledTimes(302);
      // Each is the script: EVALSHA, or EVAL the first time on a connection.
      for (const [command] of sent.mock.calls) expect(['evalsha', 'eval']).toContain(command.name);
    } finally {
      sent.mockRestore();
    }
  });

  it("keeps a key only while it matters, by Redis's own clock", async () => {
    const redis = floodRedis();
    const shared = new SharedThrottlers(redis);
    const tenASecond = [{ name: 'burst', ttl: 1_000, limit: 10, blockDuration: 60_000 }];
    expect(await shared.count(tenASecond, ['expiring'])).toEqual({ refusedBy: undefined });
    // One order of ten a second empties its bucket in 100 ms: the key lives that long.
    const lives = await client.pttl(redis.key('expiring'));
    expect(lives).toBeGreaterThan(0);
    expect(lives).toBeLessThanOrEqual(100);
    const onePerSecond = [{ ...tenASecond[0], limit: 1 }];
    await shared.count(onePerSecond, ['blocked']);
    expect(await shared.count(onePerSecond, ['blocked'])).toMatchObject({
      refusedBy: 0,
      record: { isBlocked: true, timeToBlockExpire: 60 },
    });
    expect(await client.pttl(redis.key('blocked'))).toBeGreaterThan(59_000);
  });

  it('counts on the instance while Redis is unreachable, and sends it nothing after an outage was seen', async () => {
    const clock = new ManualClock(START);
    const local = new GcraThrottlerStorage(1_000, clock);
    // A command that fails: nothing listens there, and nothing is queued for a connection.
    const unreachable = new Redis(`redis://127.0.0.1:${await freePort()}`, {
      lazyConnect: true,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    });
    unreachable.on('error', () => undefined);
    const failing = Object.assign(floodRedis(), { client: unreachable });
    const guard = await floodGuard(DOCUMENTED, local, new SharedThrottlers(failing, clock));
    for (let i = 0; i < 300; i++) expect(await answer(guard, '10.0.0.8')).toBe('200');
    expect(await answer(guard, '10.0.0.8')).toBe('429 burst Retry-After 900');
    expect(failing.failed).toHaveBeenCalled();

    const down = floodRedis(false);
    const offline = await floodGuard(DOCUMENTED, local, new SharedThrottlers(down, clock));
    const sent = jest.spyOn(client, 'sendCommand');
    try {
      expect(await answer(offline, '10.0.0.7')).toBe('200');
      expect(await answer(offline, '10.0.0.8')).toBe('429 burst Retry-After 900');
      expect(sent).not.toHaveBeenCalled();
    } finally {
      sent.mockRestore();
      local.onApplicationShutdown();
      unreachable.disconnect();
    }
  });
});
