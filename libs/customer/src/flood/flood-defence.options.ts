import type { ThrottlerOptions } from '@nestjs/throttler';
import type { TrustedProxies } from '@cafe/http';
import type { RedisTarget } from './flood-redis';

/** A rate limit: at most `limit` orders per `seconds` from one address. */
export interface ThrottleWindow {
  readonly limit: number;
  readonly seconds: number;
}

/** The customer app's defence against one address flooding orders (docs/flood-defence.md). */
export interface FloodDefenceOptions {
  /** Proxies whose X-Forwarded-For is believed (TRUSTED_PROXIES). */
  readonly trustedProxies: TrustedProxies;
  /** A short window that a group passes and a flood does not. */
  readonly burst: ThrottleWindow;
  /** A long window for an address that stays just under the burst limit. */
  readonly sustained: ThrottleWindow;
  /** How long an address that exceeded either window is refused; its queued orders are cancelled. */
  readonly blockSeconds: number;
  /** Addresses the throttlers keep counts for at most (THROTTLE_MAX_ADDRESSES); beyond, the longest idle is forgotten. */
  readonly maxAddresses: number;
  /** Orders one address may have waiting at once (each holds a request open for minutes). */
  readonly maxWaitingPerAddress: number;
  /** Lookups of orders that do not exist one address may make a minute (LOOKUP_MISSES_PER_MINUTE): each reads the log. */
  readonly lookupMissesPerMinute: number;
  /** Shares the counters, blocks and waiting counts with the other instances (REDIS_URL); none: per instance. */
  readonly redis?: RedisTarget;
}

/**
 * The throttlers of `flood`, as `ThrottlerModule` takes them: every way an order is counted
 * (in this instance's storage, or in Redis's script) reads its limits from these.
 */
export function floodThrottlers(
  flood: Pick<FloodDefenceOptions, 'burst' | 'sustained' | 'blockSeconds'>,
): ThrottlerOptions[] {
  const windows = { burst: flood.burst, sustained: flood.sustained };
  return Object.entries(windows).map(([name, { limit, seconds }]) => ({
    name,
    limit,
    ttl: seconds * 1000,
    blockDuration: flood.blockSeconds * 1000,
  }));
}
