import type { ThrottlerStorage } from '@nestjs/throttler';
import type { FloodRedis } from './flood-redis';
import type { ThrottlerRecord } from './gcra-throttler-storage';

/**
 * `countOrder` (gcra-throttler-storage.ts) in one atomic script: one key of one number per
 * throttler and address, which expires when its bucket is empty or its block is over, so Redis
 * holds only the addresses that ordered lately. The time is Redis's own, the one clock every
 * instance shares; ARGV[4], when given, replaces it (the spec plays sequences at chosen times).
 * KEYS[1] the key; ARGV: ttl ms, limit, block ms[, now ms]. Returns blocked (0/1), seconds until
 * the block ends or the bucket empties, hits.
 */
const COUNT_ORDER = `
local now = tonumber(ARGV[4])
if not now then
  local time = redis.call('TIME')
  now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end
local ttl, limit, block = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local interval = ttl / limit
local state = tonumber(redis.call('GET', KEYS[1]))
if state and state < 0 and now < -state then
  return {1, math.ceil((-state - now) / 1000), limit + 1}
end
local from = now
if state and state > now then from = state end
local tat = from + interval
if tat - now > ttl + interval / 2 then
  redis.call('SET', KEYS[1], string.format('%d', -(now + block)), 'PX', block)
  return {1, math.ceil(block / 1000), limit + 1}
end
redis.call('SET', KEYS[1], string.format('%.3f', tat), 'PX', math.ceil(tat - now))
return {0, math.ceil((tat - now) / 1000), math.floor((tat - now) / interval + 0.5)}
`;

interface CountOrderCommand {
  cafeCountOrder(key: string, ...args: number[]): Promise<[number, number, number]>;
}

/**
 * The throttlers' counters and blocks in Redis, so that a flood spread over several instances
 * meets the same limits as on one; the instance's own storage while Redis is unreachable.
 */
export class SharedThrottlerStorage implements ThrottlerStorage {
  private readonly commands: CountOrderCommand;

  constructor(
    private readonly redis: FloodRedis,
    private readonly local: ThrottlerStorage,
  ) {
    redis.client.defineCommand('cafeCountOrder', { numberOfKeys: 1, lua: COUNT_ORDER });
    this.commands = redis.client as unknown as CountOrderCommand;
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerRecord> {
    if (this.redis.shared) {
      try {
        return await this.count(this.redis.key(key), ttl, limit, blockDuration);
      } catch (error) {
        this.redis.failed(error as Error);
      }
    }
    return this.local.increment(key, ttl, limit, blockDuration, throttlerName);
  }

  /** One order on `key` (already prefixed) at Redis's time, or at `now` when given. */
  async count(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    now?: number,
  ): Promise<ThrottlerRecord> {
    const args = [ttl, limit, blockDuration, ...(now === undefined ? [] : [now])];
    const [isBlocked, seconds, totalHits] = await this.commands.cafeCountOrder(key, ...args);
    return {
      totalHits,
      timeToExpire: seconds,
      isBlocked: isBlocked === 1,
      timeToBlockExpire: isBlocked === 1 ? seconds : 0,
    };
  }
}
