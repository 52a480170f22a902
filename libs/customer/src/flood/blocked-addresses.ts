import { Injectable } from '@nestjs/common';
import { Clock } from '@cafe/ordering';

/** What a blocked address is told, whether the guard or the early refusal answers it. */
export const BLOCKED_MESSAGE = 'too many orders from your address; it is blocked for a while';

/** Past this many entries, `block` sweeps the expired ones, so the map stays bounded. */
const SWEEP_ABOVE = 10_000;

interface Block {
  readonly until: number;
  readonly throttler: string;
}

/**
 * The addresses a throttler blocked, and until when. The throttler storage knows the same, but
 * only inside the guard; this is read for every order on node's server, before the platform
 * parses it (see `refuseBlockedOrders`).
 */
@Injectable()
export class BlockedAddresses {
  private readonly blocks = new Map<string, Block>();

  constructor(private readonly clock: Clock) {}

  block(address: string, throttler: string, seconds: number): void {
    const now = this.clock.now();
    if (this.blocks.size > SWEEP_ABOVE) {
      for (const [blocked, { until }] of this.blocks) if (until <= now) this.blocks.delete(blocked);
    }
    this.blocks.set(address, { until: now + seconds * 1000, throttler });
  }

  /** The block on `address` with the whole seconds it has left, if it is blocked now. */
  find(address: string): { throttler: string; secondsLeft: number } | undefined {
    const now = this.clock.now();
    const block = this.blocks.get(address);
    if (block === undefined) return undefined;
    if (block.until <= now) {
      this.blocks.delete(address);
      return undefined;
    }
    return { throttler: block.throttler, secondsLeft: Math.ceil((block.until - now) / 1000) };
  }
}
