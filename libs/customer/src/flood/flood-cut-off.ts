import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { CutOffAddressCommand, EventFeed, exhaustive } from '@cafe/ordering';
import { BlockedAddresses } from './blocked-addresses';
import { FloodRedis } from './flood-redis';
import { WaitingPerAddress } from './waiting-per-address';

/** The channel on which instances tell each other about the addresses they blocked. */
const BLOCKS_CHANNEL = 'blocks';

/** THROTTLE_BLOCK_SECONDS's ceiling. */
const MAX_SECONDS = 1_000_000;

/** One block as announced on `BLOCKS_CHANNEL`. */
interface BlockNotice {
  readonly from: string;
  readonly address: string;
  readonly throttler: string;
  readonly seconds: number;
}

/**
 * What happens to an address a throttler blocked, on every instance: its next orders are refused
 * early (`BlockedAddresses`), and the orders it has waiting here are cancelled, so the flood stops
 * costing barista time. With Redis, a block is announced to the other instances, which do the
 * same at once rather than on the address's next request.
 */
@Injectable()
export class FloodCutOff implements OnApplicationShutdown {
  private readonly log = new Logger(FloodCutOff.name);
  /** Tells this instance's announcements from the others'. */
  private readonly sender = randomUUID();
  private readonly stopFollowing: () => void;

  constructor(
    private readonly blocked: BlockedAddresses,
    private readonly waiting: WaitingPerAddress,
    private readonly commandBus: CommandBus,
    @Inject(FloodRedis) private readonly redis: FloodRedis | null,
    feed: EventFeed,
  ) {
    // An order that passed the guard just before its address was blocked (its guard waited for
    // Redis, or the block came from another instance) is placed after the cut-off ran.
    this.stopFollowing = feed.follow({
      send: ({ event }) => {
        switch (event.type) {
          case 'OrderPlaced':
            if (this.blocked.find(event.clientAddress)) this.cancelQueued(event.clientAddress);
            break;
          // Only a placement can add an order to a blocked address's waiting ones.
          case 'OrderStarted':
          case 'OrderFinished':
          case 'OrderCancelled':
          case 'OrderRequeued':
          case 'OrderReattached':
            break;
          default:
            exhaustive(event);
        }
        return true;
      },
      drained: async () => true,
    });
    redis?.subscribe(BLOCKS_CHANNEL, (message) => {
      const notice = parseNotice(message);
      if (notice === undefined) this.log.warn(`ignored a malformed block notice: ${message}`);
      else if (notice.from !== this.sender) this.apply(notice);
    });
  }

  /** A throttler of this instance blocked `address` for `seconds`. */
  block(address: string, throttler: string, seconds: number): void {
    this.apply({ address, throttler, seconds });
    const notice: BlockNotice = { from: this.sender, address, throttler, seconds };
    this.redis?.publish(BLOCKS_CHANNEL, JSON.stringify(notice));
  }

  /**
   * Called for every request of a blocked address that reaches a guard. While the address still
   * has orders waiting here (accepted before the block), cancelling finds them in an index; once
   * they are gone this costs a map lookup.
   */
  private apply({ address, throttler, seconds }: Omit<BlockNotice, 'from'>): void {
    this.blocked.block(address, throttler, seconds);
    if (this.waiting.count(address) > 0) this.cancelQueued(address);
  }

  private cancelQueued(address: string): void {
    this.commandBus.execute(new CutOffAddressCommand(address)).catch((error) => {
      this.log.error(`cutting off ${address} failed: ${String(error)}`);
    });
  }

  onApplicationShutdown(): void {
    this.stopFollowing();
  }
}

/** Notices come from the network: anything but the expected shape is dropped. */
function parseNotice(message: string): BlockNotice | undefined {
  let notice: Partial<Record<keyof BlockNotice, unknown>>;
  try {
    notice = JSON.parse(message);
  } catch {
    return undefined;
  }
  const { from, address, throttler, seconds } = notice ?? {};
  const short = (value: unknown) =>
    typeof value === 'string' && value.length > 0 && value.length <= 100;
  if (!short(from) || !short(address) || !short(throttler)) return undefined;
  if (!Number.isInteger(seconds) || (seconds as number) < 1 || (seconds as number) > MAX_SECONDS) {
    return undefined;
  }
  return notice as BlockNotice;
}
