import { type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  type ThrottlerLimitDetail,
  type ThrottlerModuleOptions,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import {
  clientAddressOf,
  nodeRequest,
  onExchangeEnd,
  TooManyRequests,
  TrustedProxies,
} from '@cafe/http';
import { CafeMetrics } from '@cafe/ordering';
import { BLOCKED_MESSAGE } from './blocked-addresses';
import { FloodCutOff } from './flood-cut-off';
import { FloodRedis } from './flood-redis';
import { SharedThrottlerStorage } from './shared-throttler-storage';
import { WaitingPerAddress } from './waiting-per-address';

/** Names the waiting cap in the throttled-requests metric, next to the throttlers' names. */
const WAITING_CAP = 'waiting_cap';

/** A refused waiting place frees up when one of the address's orders is served: about one brew. */
const RETRY_AFTER_WAITING_CAP_SECONDS = 60;

/**
 * Guards POST /order/: the throttlers (`burst`, `sustained`) count orders per client address,
 * whatever the route, and block an address that exceeds either; a blocked address has its
 * unstarted orders cancelled, so the flood stops costing barista time. Orders that pass must
 * also find a waiting place under the address's cap (its queued orders, held or
 * `respond-async`); the handler hands the place over to the order it placed. With Redis (REDIS_URL) the counters, the
 * blocks and the waiting places are the fleet's.
 */
@Injectable()
export class FloodGuard extends ThrottlerGuard {
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() localStorage: ThrottlerStorage,
    @Inject(FloodRedis) redis: FloodRedis | null,
    reflector: Reflector,
    private readonly trusted: TrustedProxies,
    private readonly waiting: WaitingPerAddress,
    private readonly metrics: CafeMetrics,
    private readonly cutOff: FloodCutOff,
  ) {
    const storage = redis ? new SharedThrottlerStorage(redis, localStorage) : localStorage;
    super(options, storage, reflector);
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    if (!(await super.canActivate(context))) return false;
    const request = nodeRequest(context);
    const address = clientAddressOf(request, this.trusted);
    if (!(await this.waiting.tryEnter(request, address))) {
      this.metrics.countThrottled(WAITING_CAP);
      throw new TooManyRequests(
        `${this.waiting.max} orders from your address are already waiting`,
        RETRY_AFTER_WAITING_CAP_SECONDS,
      );
    }
    onExchangeEnd(context, () => this.waiting.release(request));
    return true;
  }

  /** The client address alone: never the route, never anything the client can vary. */
  protected override async getTracker(
    _request: unknown,
    context?: ExecutionContext,
  ): Promise<string> {
    return clientAddressOf(nodeRequest(context as ExecutionContext), this.trusted);
  }

  /** `<throttler>:<address>`; the throttler's name comes first so that `throttlerOf` can read it back. */
  protected override generateKey(_context: ExecutionContext, address: string, name: string) {
    return `${name}:${address}`;
  }

  /** Called for every request of a blocked address that reaches the guard. */
  protected override async throwThrottlingException(
    _context: ExecutionContext,
    { key, tracker, timeToBlockExpire }: ThrottlerLimitDetail,
  ): Promise<void> {
    const throttler = throttlerOf(key);
    this.metrics.countThrottled(throttler);
    this.cutOff.block(tracker, throttler, timeToBlockExpire);
    throw new TooManyRequests(BLOCKED_MESSAGE, timeToBlockExpire);
  }
}

/** The throttler's name in a key made by `generateKey` (an IPv6 address has colons; the name has none). */
function throttlerOf(key: string): string {
  return key.slice(0, key.indexOf(':'));
}
