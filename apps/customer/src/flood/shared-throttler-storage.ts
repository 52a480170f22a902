import type { ThrottlerStorage } from '@nestjs/throttler';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import type { FloodRedis } from './flood-redis';

type ThrottlerRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * The throttlers' counters and blocks in Redis, so that a flood spread over several instances
 * meets the same limits as on one; the instance's own storage while Redis is unreachable.
 */
export class SharedThrottlerStorage implements ThrottlerStorage {
  private readonly shared: ThrottlerStorageRedisService;

  constructor(
    private readonly redis: FloodRedis,
    private readonly local: ThrottlerStorage,
  ) {
    this.shared = new ThrottlerStorageRedisService(redis.client);
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
        return await this.shared.increment(
          this.redis.key(key),
          ttl,
          limit,
          blockDuration,
          throttlerName,
        );
      } catch (error) {
        this.redis.failed(error as Error);
      }
    }
    return this.local.increment(key, ttl, limit, blockDuration, throttlerName);
  }
}
