import type { OnApplicationShutdown } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type { Clock } from '@cafe/ordering';

export type ThrottlerRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** How often keys whose bucket has emptied (and whose block has ended) are dropped. */
const SWEEP_INTERVAL_MS = 60_000;

/**
 * One order counted by GCRA (the generic cell rate algorithm: redis-cell's, nginx `limit_req`'s
 * leaky bucket as a meter). A key's whole state is one number: while it counts, its theoretical
 * arrival time `tat` (when its bucket would be empty again; absent or past means empty); while it
 * is blocked, the time its block ends, negated. Each order adds `ttl / limit` to the bucket, which
 * drains at `limit` per `ttl`: `limit` orders at once pass, the next is one too many and blocks the
 * key for `blockDuration`. The first order after a block counts as one, as a new window would.
 * The bucket is full at `ttl`; half an interval of slack absorbs the rounding of the sums.
 * `SharedThrottlers`' script is the same rule in Lua, for all of an order's throttlers at once
 * (test/shared-throttlers.e2e-spec.ts plays the two through the guard).
 */
export function countOrder(
  state: number | undefined,
  now: number,
  ttl: number,
  limit: number,
  blockDuration: number,
): { state: number; record: ThrottlerRecord } {
  const interval = ttl / limit;
  if (state !== undefined && state < 0 && now < -state) {
    return { state, record: blockedRecord(secondsUntil(-state, now), limit) };
  }
  const from = state === undefined || state < 0 ? now : Math.max(state, now);
  const tat = from + interval;
  if (tat - now > ttl + interval / 2) {
    const until = now + blockDuration;
    return { state: -until, record: blockedRecord(secondsUntil(until, now), limit) };
  }
  return {
    state: tat,
    record: {
      totalHits: Math.round((tat - now) / interval),
      timeToExpire: secondsUntil(tat, now),
      isBlocked: false,
      timeToBlockExpire: 0,
    },
  };
}

/** When a key's state stops mattering: its bucket is empty or its block is over. */
export function mattersUntil(state: number): number {
  return Math.abs(state);
}

/** What the guard is told of a key blocked for `seconds` more (its Retry-After). */
export function blockedRecord(seconds: number, limit: number): ThrottlerRecord {
  return {
    totalHits: limit + 1,
    timeToExpire: seconds,
    isBlocked: true,
    timeToBlockExpire: seconds,
  };
}

function secondsUntil(time: number, now: number): number {
  return Math.ceil((time - now) / 1000);
}

/**
 * The throttlers' counts on one instance: one number per key (`countOrder`), whatever the number
 * of orders in its window, and O(1) per order. A key is dropped once its state stops mattering
 * (an empty bucket is the same as no key). At most `maxKeys` are kept, as nginx's zone caps
 * its states: keys are kept in the order they were last counted, and a new key beyond the cap
 * pushes out the one counted longest ago. A regular is thus never refused because the table is
 * full; what a flood of distinct addresses can make it forget is the count of the address
 * idle the longest, which then starts again from zero (a block stays in `BlockedAddresses`).
 */
export class GcraThrottlerStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly states = new Map<string, number>();
  private stopSweeping?: () => void;

  constructor(
    readonly maxKeys: number,
    private readonly clock: Clock,
  ) {}

  /** How many keys are kept now. */
  get size(): number {
    return this.states.size;
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    _throttlerName: string,
  ): Promise<ThrottlerRecord> {
    if (blockDuration <= 0) throw new RangeError('every throttler of the café blocks');
    if (this.stopSweeping === undefined) this.sweepEveryInterval();
    const { state, record } = countOrder(
      this.states.get(key),
      this.clock.now(),
      ttl,
      limit,
      blockDuration,
    );
    // Deleted first so that the map's order stays the order keys were last counted in.
    if (!this.states.delete(key) && this.states.size >= this.maxKeys) {
      this.states.delete(this.states.keys().next().value as string);
    }
    this.states.set(key, state);
    return record;
  }

  onApplicationShutdown(): void {
    this.stopSweeping?.();
    this.states.clear();
  }

  private sweepEveryInterval(): void {
    this.stopSweeping = this.clock.after(SWEEP_INTERVAL_MS, () => {
      this.dropIdle(this.clock.now());
      this.sweepEveryInterval();
    });
  }

  private dropIdle(now: number): void {
    for (const [key, state] of this.states) {
      if (mattersUntil(state) <= now) this.states.delete(key);
    }
  }
}
