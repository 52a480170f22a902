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
import { countOnThrottlers, SharedThrottlers, type ThrottlerLimits } from './shared-throttlers';
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
 *
 * `ThrottlerGuard` asks its storage once per throttler; with Redis that would be a round trip
 * per throttler and order. So while Redis is shared, this guard counts the order on all its
 * throttlers in one script (`SharedThrottlers`), from the same throttlers' options, in the same
 * order and with the same stop at the first refusal; otherwise (no REDIS_URL, or an outage) it
 * is counted in this instance's storage, throttler after throttler as the library's loop does.
 * The library's own `canActivate` is never run: per request and throttler it resolves the
 * limits, the tracker and the key maker from route metadata (six Reflect lookups on two
 * targets, an await for each value) for `@Throttle()` / `@SkipThrottle()` overrides that no
 * route has and `fixed` would refuse.
 */
@Injectable()
export class FloodGuard extends ThrottlerGuard {
  /** The throttlers' limits as the library reads them, once `onModuleInit` has sorted them. */
  private limits: ThrottlerLimits[] = [];

  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() localStorage: ThrottlerStorage,
    @Inject(SharedThrottlers) private readonly shared: SharedThrottlers | null,
    reflector: Reflector,
    private readonly trusted: TrustedProxies,
    private readonly waiting: WaitingPerAddress,
    private readonly metrics: CafeMetrics,
    private readonly cutOff: FloodCutOff,
  ) {
    super(options, localStorage, reflector);
  }

  override async onModuleInit(): Promise<void> {
    await super.onModuleInit();
    this.limits = this.throttlers.map(({ name, ttl, limit, blockDuration }) => ({
      name: name as string, // named by super.onModuleInit
      ttl: fixed(ttl, 'ttl'),
      limit: fixed(limit, 'limit'),
      blockDuration: fixed(blockDuration, 'blockDuration'),
    }));
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = nodeRequest(context);
    const address = clientAddressOf(request, this.trusted);
    if (!(await this.countOrder(context, address))) return false;
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

  /**
   * Counts the order on every throttler: in one Redis script while Redis is shared, else in
   * this instance's storage. A refusal throws, as `ThrottlerGuard`'s does.
   */
  private async countOrder(context: ExecutionContext, address: string): Promise<boolean> {
    const keys = this.limits.map(({ name }) => this.generateKey(context, address, name));
    const verdict = await countOnThrottlers(this.shared, this.storageService, this.limits, keys);
    if (verdict.refusedBy === undefined) return true;
    const { ttl, limit } = this.limits[verdict.refusedBy];
    await this.throwThrottlingException(context, {
      ...verdict.record,
      ttl,
      limit,
      key: keys[verdict.refusedBy],
      tracker: address,
    });
    return false;
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

/**
 * A limit of the café's throttlers: a number of the options, the same for every order (the
 * library allows one computed per request, which one script for all of them could not take).
 */
function fixed(value: unknown, option: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new RangeError(`the flood guard's throttlers take a fixed positive ${option}`);
  }
  return value;
}

/** The throttler's name in a key made by `generateKey` (an IPv6 address has colons; the name has none). */
function throttlerOf(key: string): string {
  return key.slice(0, key.indexOf(':'));
}
