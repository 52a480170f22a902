import { type ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { CommandBus } from '@nestjs/cqrs';
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
import { CafeMetrics, CutOffAddressCommand } from '@cafe/ordering';
import { BLOCKED_MESSAGE, BlockedAddresses } from './blocked-addresses';
import { WaitingPerAddress } from './waiting-per-address';

/** Names the waiting cap in the throttled-requests metric, next to the throttlers' names. */
const WAITING_CAP = 'waiting_cap';

/** A refused waiting place frees up when one of the address's orders is served: about one brew. */
const RETRY_AFTER_WAITING_CAP_SECONDS = 60;

/**
 * Guards POST /order/: the throttlers (`burst`, `sustained`) count orders per client address,
 * whatever the route, and block an address that exceeds either; a blocked address has its
 * unstarted orders cancelled, so the flood stops costing barista time. Orders that pass must
 * also find a waiting place under the address's cap.
 */
@Injectable()
export class FloodGuard extends ThrottlerGuard {
  private readonly log = new Logger(FloodGuard.name);

  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    private readonly trusted: TrustedProxies,
    private readonly waiting: WaitingPerAddress,
    private readonly commandBus: CommandBus,
    private readonly metrics: CafeMetrics,
    private readonly blocked: BlockedAddresses,
  ) {
    super(options, storage, reflector);
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    if (!(await super.canActivate(context))) return false;
    const address = await this.getTracker({}, context);
    if (!this.waiting.tryEnter(address)) {
      this.metrics.countThrottled(WAITING_CAP);
      throw new TooManyRequests(
        `${this.waiting.max} orders from your address are already waiting`,
        RETRY_AFTER_WAITING_CAP_SECONDS,
      );
    }
    onExchangeEnd(context, () => this.waiting.leave(address));
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

  /**
   * Called for every request of a blocked address. While the address still has orders waiting
   * (ones accepted before the block), cut it off: cancelling finds them in an index, and once
   * they are gone this costs one map lookup per refusal.
   */
  protected override async throwThrottlingException(
    _context: ExecutionContext,
    { key, tracker, timeToBlockExpire }: ThrottlerLimitDetail,
  ): Promise<void> {
    const throttler = throttlerOf(key);
    this.metrics.countThrottled(throttler);
    this.blocked.block(tracker, throttler, timeToBlockExpire);
    if (this.waiting.count(tracker) > 0) {
      this.commandBus.execute(new CutOffAddressCommand(tracker)).catch((error) => {
        this.log.error(`cutting off ${tracker} failed: ${String(error)}`);
      });
    }
    throw new TooManyRequests(BLOCKED_MESSAGE, timeToBlockExpire);
  }
}

/** The throttler's name in a key made by `generateKey` (an IPv6 address has colons; the name has none). */
function throttlerOf(key: string): string {
  return key.slice(0, key.indexOf(':'));
}
