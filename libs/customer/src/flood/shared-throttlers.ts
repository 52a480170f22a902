import type { ThrottlerStorage } from '@nestjs/throttler';
import type { Clock } from '@cafe/ordering';
import type { FloodRedis } from './flood-redis';
import { blockedRecord, type ThrottlerRecord } from './gcra-throttler-storage';

/**
 * One order counted on all its throttlers in one atomic script: `countOrder`
 * (gcra-throttler-storage.ts) in Lua, applied to each throttler in turn as `ThrottlerGuard` asks
 * its storage, stopping at the first that refuses it. One key of one number per throttler and
 * address, which expires when its bucket is empty or its block is over, so Redis holds only the
 * addresses that ordered lately; a block is that key's negated end, so checking it is reading
 * the key the script reads anyway. The state is written to the last bit (`%.17g`), so Redis
 * counts exactly as the in-process storage does, and expires at a time of the script's clock
 * (`PXAT`, Redis 6.2), so a key lives as long as its state matters by whichever clock counts.
 * KEYS: the throttlers' keys, in the guard's order. ARGV[1]: the time in ms, or '' for Redis's own
 * (`TIME`, the one clock every instance shares); then ttl ms, limit, block ms of each throttler.
 * Returns {0} when every throttler lets the order by; else {i, seconds}: the i-th (from 1)
 * throttler refuses it, blocked for that many seconds more.
 */
const COUNT_ORDER = `
local now = tonumber(ARGV[1])
if not now then
  local time = redis.call('TIME')
  now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end
for i = 1, #KEYS do
  local ttl, limit, block = tonumber(ARGV[3 * i - 1]), tonumber(ARGV[3 * i]), tonumber(ARGV[3 * i + 1])
  local interval = ttl / limit
  local state = tonumber(redis.call('GET', KEYS[i]))
  if state and state < 0 and now < -state then
    return {i, math.ceil((-state - now) / 1000)}
  end
  local from = now
  if state and state > now then from = state end
  local tat = from + interval
  if tat - now > ttl + interval / 2 then
    local ends = string.format('%d', now + block)
    redis.call('SET', KEYS[i], '-' .. ends, 'PXAT', ends)
    return {i, math.ceil(block / 1000)}
  end
  redis.call('SET', KEYS[i], string.format('%.17g', tat), 'PXAT', string.format('%d', math.ceil(tat)))
end
return {0}
`;

/** A throttler's limits, in ms, as the guard read them from `ThrottlerModule`'s options. */
export interface ThrottlerLimits {
  readonly name: string;
  readonly ttl: number;
  readonly limit: number;
  readonly blockDuration: number;
}

/** What the script said of one order (or lookup miss). */
export type SharedVerdict =
  | { readonly refusedBy: undefined }
  | { readonly refusedBy: number; readonly record: ThrottlerRecord };

interface CountOrderCommand {
  cafeCountOrder(numberOfKeys: number, ...keysAndArgs: (string | number)[]): Promise<number[]>;
}

/**
 * The throttlers' counters and blocks in Redis, so that a flood spread over several instances
 * meets the same limits as on one, at one Redis round trip per order whatever the number of
 * throttlers. `ThrottlerStorage` is asked once per throttler, hence not that interface: the
 * guard hands all of an order's throttlers over at once (ADR 0010).
 */
export class SharedThrottlers {
  private readonly commands: CountOrderCommand;

  /** `clock`: whose time the script counts at; Redis's own unless given (the specs choose it). */
  constructor(
    private readonly redis: FloodRedis,
    private readonly clock?: Clock,
  ) {
    // The number of keys is given per call: it is the number of throttlers.
    redis.client.defineCommand('cafeCountOrder', { lua: COUNT_ORDER });
    this.commands = redis.client as unknown as CountOrderCommand;
  }

  /**
   * Counts one order (or one lookup miss, `LookupMisses`) on `throttlers`, whose keys for it are
   * `keys` (not yet prefixed); undefined while Redis is unreachable (the command failed, or an
   * outage was seen before), and the caller counts on this instance's storage instead.
   */
  async count(
    throttlers: readonly ThrottlerLimits[],
    keys: readonly string[],
  ): Promise<SharedVerdict | undefined> {
    if (!this.redis.shared) return undefined;
    const args: (string | number)[] = keys.map((key) => this.redis.key(key));
    args.push(this.clock?.now() ?? '');
    for (const { ttl, limit, blockDuration } of throttlers) args.push(ttl, limit, blockDuration);
    let answer: number[];
    try {
      answer = await this.commands.cafeCountOrder(keys.length, ...args);
    } catch (error) {
      this.redis.failed(error as Error);
      return undefined;
    }
    const [refusedBy, seconds] = answer;
    if (refusedBy === 0) return { refusedBy: undefined };
    return {
      refusedBy: refusedBy - 1,
      record: blockedRecord(seconds, throttlers[refusedBy - 1].limit),
    };
  }
}

/**
 * Counts one order (or lookup miss) on `throttlers`: in Redis while it is shared, else (no
 * REDIS_URL, or an outage) in `local`, one throttler after another as `ThrottlerGuard` asks its
 * storage, stopping at the first that refuses it, as the script does.
 */
export async function countOnThrottlers(
  shared: SharedThrottlers | null,
  local: ThrottlerStorage,
  throttlers: readonly ThrottlerLimits[],
  keys: readonly string[],
): Promise<SharedVerdict> {
  const verdict = await shared?.count(throttlers, keys);
  if (verdict !== undefined) return verdict;
  for (const [i, { name, ttl, limit, blockDuration }] of throttlers.entries()) {
    const record = await local.increment(keys[i], ttl, limit, blockDuration, name);
    if (record.isBlocked) return { refusedBy: i, record };
  }
  return { refusedBy: undefined };
}
