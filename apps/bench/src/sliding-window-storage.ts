import type { OnApplicationShutdown } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';

type ThrottlerRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** One key's window: the expiry of each hit it counts, and its block. */
interface Window {
  hits: number[];
  expiresAt: number;
  blockExpiresAt: number;
  isBlocked: boolean;
}

/** How often windows that expired are dropped, as @nestjs/throttler's own storage does. */
const SWEEP_INTERVAL_MS = 60_000;

/**
 * The throttler storage before issue 17 (`CompactThrottlerStorage`, removed in 2e390ff): the
 * expiry of every counted order, filtered on every order. Kept as scenario 9's baseline only.
 */
export class SlidingWindowStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly windows = new Map<string, Window>();
  private sweep?: NodeJS.Timeout;

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    _throttlerName: string,
  ): Promise<ThrottlerRecord> {
    if (blockDuration <= 0) throw new RangeError('every throttler of the café blocks');
    this.sweep ??= setInterval(() => this.dropExpired(Date.now()), SWEEP_INTERVAL_MS).unref();
    const now = Date.now();
    let window = this.windows.get(key);
    if (!window) {
      window = { hits: [], expiresAt: now + ttl, blockExpiresAt: 0, isBlocked: false };
      this.windows.set(key, window);
    }
    window.hits = window.hits.filter((expiresAt) => expiresAt > now);
    let timeToExpire = secondsUntil(window.expiresAt, now);
    if (timeToExpire <= 0) {
      window.expiresAt = now + ttl;
      timeToExpire = secondsUntil(window.expiresAt, now);
    }
    if (!window.isBlocked) window.hits.push(now + ttl);
    if (window.hits.length > limit && !window.isBlocked) {
      window.isBlocked = true;
      window.blockExpiresAt = now + blockDuration;
    }
    const timeToBlockExpire = secondsUntil(window.blockExpiresAt, now);
    if (timeToBlockExpire <= 0 && window.isBlocked) {
      window.isBlocked = false;
      window.hits = [now + ttl];
    }
    return {
      totalHits: window.hits.length,
      timeToExpire,
      isBlocked: window.isBlocked,
      timeToBlockExpire,
    };
  }

  onApplicationShutdown(): void {
    clearInterval(this.sweep);
    this.windows.clear();
  }

  private dropExpired(now: number): void {
    for (const [key, window] of this.windows) {
      if (window.isBlocked && window.blockExpiresAt > now) continue;
      if (window.expiresAt > now || window.hits.some((expiresAt) => expiresAt > now)) continue;
      this.windows.delete(key);
    }
  }
}

function secondsUntil(time: number, now: number): number {
  return Math.ceil((time - now) / 1000);
}
