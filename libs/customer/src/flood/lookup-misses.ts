import type { OnApplicationShutdown } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { TooManyRequests } from '@cafe/http';
import { type CafeMetrics, type Clock, OrderNotFound } from '@cafe/ordering';
import { BlockedAddresses } from './blocked-addresses';
import type { FloodRedis } from './flood-redis';
import { GcraThrottlerStorage } from './gcra-throttler-storage';
import { SharedThrottlerStorage } from './shared-throttler-storage';

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
  private readonly counts: ThrottlerStorage;
  private readonly blocks: BlockedAddresses;

  constructor(
    readonly perMinute: number,
    maxAddresses: number,
    clock: Clock,
    private readonly metrics: CafeMetrics,
    redis: FloodRedis | null,
  ) {
    this.local = new GcraThrottlerStorage(maxAddresses, clock);
    this.counts = redis ? new SharedThrottlerStorage(redis, this.local) : this.local;
    this.blocks = new BlockedAddresses(clock);
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
      const count = await this.counts.increment(
        `${LOOKUP_MISSES}:${address}`,
        MINUTE_MS,
        this.perMinute,
        MINUTE_MS,
        LOOKUP_MISSES,
      );
      if (!count.isBlocked) throw error;
      this.blocks.block(address, LOOKUP_MISSES, count.timeToBlockExpire);
      throw this.refused(count.timeToBlockExpire);
    }
  }

  onApplicationShutdown(): void {
    this.local.onApplicationShutdown();
  }

  private refused(retryAfterSeconds: number): TooManyRequests {
    this.metrics.countThrottled(LOOKUP_MISSES);
    return new TooManyRequests(LOOKUP_MISSES_MESSAGE, retryAfterSeconds);
  }
}
