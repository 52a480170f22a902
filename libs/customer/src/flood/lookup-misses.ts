import type { OnApplicationShutdown } from '@nestjs/common';
import { TooManyRequests } from '@cafe/http';
import { type CafeMetrics, type Clock, OrderNotFound } from '@cafe/ordering';
import { BlockedAddresses } from './blocked-addresses';
import { GcraThrottlerStorage } from './gcra-throttler-storage';
import {
  countOnThrottlers,
  type SharedThrottlers,
  type ThrottlerLimits,
} from './shared-throttlers';

/** Names the limit in the throttled-requests metric and starts its keys, next to the throttlers'. */
export const LOOKUP_MISSES = 'lookup_misses';

/** The limit is a rate per minute; an address past it is refused for as long. */
const MINUTE_MS = 60_000;

export const LOOKUP_MISSES_MESSAGE =
  'too many lookups of orders that do not exist from your address; it is refused for a while';

/**
 * Limits `GET /orders/{id}` of ids this process does not hold, per address: each costs a read
 * of the log (the order's stream, and in a fleet a catch-up), so an address scanning random ids
 * could make thousands. Only misses count (the order does not exist): a customer's own order
 * read back from the log after it left memory never does, and an order held in memory never
 * gets here at all. The misses are counted as the throttlers count orders (GCRA: `perMinute`
 * at once, draining at `perMinute` a minute); the miss past that blocks the address for a
 * minute, and until then its lookups that would read the log are refused with 429 before they
 * do. With Redis the count is the fleet's; the block is mirrored here, so an instance that has
 * not refused the address yet reads the log once more before it knows.
 */
export class LookupMisses implements OnApplicationShutdown {
  private readonly local: GcraThrottlerStorage;
  private readonly blocks: BlockedAddresses;
  private readonly limits: readonly ThrottlerLimits[];

  /** `shared`: the fleet's counts in Redis (REDIS_URL), or null to count on this instance alone. */
  constructor(
    readonly perMinute: number,
    maxAddresses: number,
    clock: Clock,
    private readonly metrics: CafeMetrics,
    private readonly shared: SharedThrottlers | null,
  ) {
    this.local = new GcraThrottlerStorage(maxAddresses, clock);
    this.blocks = new BlockedAddresses(clock);
    this.limits = [
      { name: LOOKUP_MISSES, ttl: MINUTE_MS, limit: perMinute, blockDuration: MINUTE_MS },
    ];
  }

  /**
   * `readLog()` for `address`, unless its misses have it refused: then 429 without reading.
   * An OrderNotFound from it counts a miss, and the miss past the limit is a 429 too.
   */
  async unlessRefused<T>(address: string, readLog: () => Promise<T>): Promise<T> {
    const block = this.blocks.find(address);
    if (block !== undefined) throw this.refused(block.secondsLeft);
    try {
      return await readLog();
    } catch (error) {
      if (!(error instanceof OrderNotFound)) throw error;
      const refusedFor = await this.countMiss(`${LOOKUP_MISSES}:${address}`);
      if (refusedFor === undefined) throw error;
      this.blocks.block(address, LOOKUP_MISSES, refusedFor);
      throw this.refused(refusedFor);
    }
  }

  /**
   * Counts a miss on `key`, in Redis while it is shared (the throttlers' script, with this one
   * limit), else here; the seconds the address is refused for if this miss was one too many.
   */
  private async countMiss(key: string): Promise<number | undefined> {
    const verdict = await countOnThrottlers(this.shared, this.local, this.limits, [key]);
    return verdict.refusedBy === undefined ? undefined : verdict.record.timeToBlockExpire;
  }

  onApplicationShutdown(): void {
    this.local.onApplicationShutdown();
  }

  private refused(retryAfterSeconds: number): TooManyRequests {
    this.metrics.countThrottled(LOOKUP_MISSES);
    return new TooManyRequests(LOOKUP_MISSES_MESSAGE, retryAfterSeconds);
  }
}
