import type { IncomingMessage } from 'node:http';
import type { OnApplicationShutdown } from '@nestjs/common';
import { type EventFeed, exhaustive, type Order, type OrderEvent } from '@cafe/ordering';
import type { FloodRedis } from './flood-redis';

/**
 * Enter if the live instances' counts for the address (fields of one hash, one per connection
 * of an instance) are under the cap. A field whose connection stopped saying it is alive (a
 * crash, a reconnect) is dropped, so a killed instance's waiting customers stop counting.
 * KEYS[1] the address's hash; ARGV: this connection, the cap, the alive keys' prefix, the hash's
 * lifetime in ms.
 */
const ENTER = `
local fields = redis.call('HGETALL', KEYS[1])
local total = 0
for i = 1, #fields, 2 do
  if redis.call('EXISTS', ARGV[3] .. fields[i]) == 1 then
    total = total + tonumber(fields[i + 1])
  else
    redis.call('HDEL', KEYS[1], fields[i])
  end
end
if total >= tonumber(ARGV[2]) then return 0 end
redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
`;

/**
 * Adds ARGV[2] (negative to take away) to this connection's count; KEYS[1] the address's hash,
 * ARGV[1] this connection, ARGV[3] the hash's lifetime in ms.
 */
const ADD = `
if redis.call('HINCRBY', KEYS[1], ARGV[1], ARGV[2]) <= 0 then redis.call('HDEL', KEYS[1], ARGV[1]) end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
`;

/** An address nobody has entered for a day forgets counts a lost `leave` may have left behind. */
const HASH_LIFETIME_MS = 24 * 3_600_000;

interface WaitingCommands {
  cafeEnterWaiting(key: string, ...args: (string | number)[]): Promise<number>;
  cafeAddWaiting(key: string, ...args: (string | number)[]): Promise<unknown>;
}

/** An order this instance placed, until it is ready or cancelled; it holds a place while queued. */
interface PlacedOrder {
  readonly address: string;
  queued: boolean;
}

/**
 * How many orders each address has waiting, with a ceiling, as nginx's `limit_conn` does for
 * connections. Rate limits count orders when they are placed; an order then waits for minutes,
 * so a slow trickle under the rate limits could still pile up a queue without this cap.
 *
 * What takes a place: an order request from the guard until its order is placed (or the
 * exchange ends without one), then the order itself for as long as it is queued, whether its
 * customer holds the request open or asked `Prefer: respond-async`. A barista's start, a
 * cancellation (the customer left, a flood cut-off) free it; a requeue takes it again. Orders
 * are counted by the instance that placed them, from the events it sees.
 *
 * With Redis the ceiling is the fleet's: this instance's counts are mirrored there under its
 * current connection, and written again after each reconnect; while Redis is unreachable the
 * ceiling applies to this instance alone.
 */
export class WaitingPerAddress implements OnApplicationShutdown {
  /** What this instance holds: the truth it mirrors. */
  private readonly counts = new Map<string, number>();
  /** Orders placed here not yet ready nor cancelled: live orders only. */
  private readonly placed = new Map<string, PlacedOrder>();
  /** Order requests that took a place and have not handed it over yet. */
  private readonly requests = new WeakMap<IncomingMessage, string>();
  private readonly commands: WaitingCommands | undefined;
  private readonly stopFollowing: () => void;

  constructor(
    readonly max: number,
    feed: EventFeed,
    private readonly redis: FloodRedis | null = null,
  ) {
    this.stopFollowing = feed.follow({
      send: ({ event }) => {
        this.follow(event);
        return true;
      },
      drained: async () => true,
    });
    if (redis === null) return;
    redis.client.defineCommand('cafeEnterWaiting', { numberOfKeys: 1, lua: ENTER });
    redis.client.defineCommand('cafeAddWaiting', { numberOfKeys: 1, lua: ADD });
    this.commands = redis.client as unknown as WaitingCommands;
    redis.onConnected(() => this.mirror(redis));
  }

  /** Places `address` holds on this instance: its queued orders and the order requests on their way. */
  count(address: string): number {
    return this.counts.get(address) ?? 0;
  }

  /** Takes a place for `request` from `address`; false when the address already holds `max`. */
  async tryEnter(request: IncomingMessage, address: string): Promise<boolean> {
    if (!(await this.enter(address))) return false;
    this.requests.set(request, address);
    return true;
  }

  /**
   * The request placed (or found, by its Idempotency-Key) `order`: if it is queued, the
   * request's place becomes the order's, unless the order holds one already.
   */
  handOver(request: IncomingMessage, order: Order): void {
    const address = this.requests.get(request);
    if (address === undefined) return;
    this.requests.delete(request);
    const known = this.placed.get(order.orderId);
    if (order.status === 'queued' && !known) {
      this.placed.set(order.orderId, { address, queued: true });
    } else {
      this.add(address, -1);
    }
  }

  /** The exchange is over: a place the request still holds (it placed no order) is free. */
  release(request: IncomingMessage): void {
    const address = this.requests.get(request);
    if (address === undefined) return;
    this.requests.delete(request);
    this.add(address, -1);
  }

  onApplicationShutdown(): void {
    this.stopFollowing();
  }

  private async enter(address: string): Promise<boolean> {
    if (this.redis?.shared) {
      try {
        const entered = await this.commands!.cafeEnterWaiting(
          this.hashOf(address),
          this.redis.incarnation,
          this.max,
          this.redis.aliveKey(''),
          HASH_LIFETIME_MS,
        );
        if (entered === 1) this.addHere(address, 1);
        return entered === 1;
      } catch (error) {
        this.redis.failed(error as Error);
      }
    }
    if (this.count(address) >= this.max) return false;
    this.addHere(address, 1);
    return true;
  }

  /** An order placed here left the queue, or came back to it. */
  private follow(event: OrderEvent): void {
    const order = this.placed.get(event.orderId);
    if (!order) return;
    switch (event.type) {
      case 'OrderStarted':
        if (order.queued) this.add(order.address, -1);
        order.queued = false;
        break;
      case 'OrderRequeued':
        // Not capped: the customer did nothing; their order was taken and given back.
        if (!order.queued) this.add(order.address, 1);
        order.queued = true;
        break;
      case 'OrderFinished':
      case 'OrderCancelled':
        if (order.queued) this.add(order.address, -1);
        this.placed.delete(event.orderId);
        break;
      // Its place was taken before: handOver makes it the order's, and so the re-post's place
      // that of an order re-attached here.
      case 'OrderPlaced':
      case 'OrderReattached':
        break;
      default:
        exhaustive(event);
    }
  }

  /** Changes the count here and, with Redis, in the fleet's. */
  private add(address: string, delta: number): void {
    this.addHere(address, delta);
    if (this.redis?.shared) {
      this.commands!.cafeAddWaiting(
        this.hashOf(address),
        this.redis.incarnation,
        delta,
        HASH_LIFETIME_MS,
      ).catch((error: Error) => this.redis?.failed(error));
    }
  }

  /** Changes the count here only: Redis took its share in the same step, or is not shared. */
  private addHere(address: string, delta: number): void {
    const count = this.count(address) + delta;
    if (count > 0) this.counts.set(address, count);
    else this.counts.delete(address);
  }

  private hashOf(address: string): string {
    return (this.redis as FloodRedis).key(`waiting:${address}`);
  }

  /** Writes every count this instance holds under its new connection. */
  private mirror(redis: FloodRedis): void {
    if (this.counts.size === 0) return;
    const pipeline = redis.client.pipeline();
    for (const [address, count] of this.counts) {
      pipeline
        .hset(this.hashOf(address), redis.incarnation, count)
        .pexpire(this.hashOf(address), HASH_LIFETIME_MS);
    }
    pipeline.exec().catch((error: Error) => redis.failed(error));
  }
}
