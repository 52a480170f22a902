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

/** KEYS[1] the address's hash; ARGV[1] this connection. */
const LEAVE = `
if redis.call('HINCRBY', KEYS[1], ARGV[1], -1) <= 0 then redis.call('HDEL', KEYS[1], ARGV[1]) end
`;

/** An address nobody has entered for a day forgets counts a lost `leave` may have left behind. */
const HASH_LIFETIME_MS = 24 * 3_600_000;

interface WaitingCommands {
  cafeEnterWaiting(key: string, ...args: (string | number)[]): Promise<number>;
  cafeLeaveWaiting(key: string, connection: string): Promise<unknown>;
}

/**
 * How many requests each address holds open right now, with a ceiling, as nginx's `limit_conn`
 * does. Rate limits count requests when they start; an order then waits for minutes, so a slow
 * trickle under the rate limits could still pile up waiting requests without this cap. With
 * Redis the ceiling is the fleet's: this instance's counts are mirrored there under its current
 * connection, and written again after each reconnect; while Redis is unreachable the ceiling
 * applies to this instance alone.
 */
export class WaitingPerAddress {
  /** What this instance holds: the truth it mirrors. */
  private readonly counts = new Map<string, number>();
  private readonly commands: WaitingCommands | undefined;

  constructor(
    readonly max: number,
    private readonly redis: FloodRedis | null = null,
  ) {
    if (redis === null) return;
    redis.client.defineCommand('cafeEnterWaiting', { numberOfKeys: 1, lua: ENTER });
    redis.client.defineCommand('cafeLeaveWaiting', { numberOfKeys: 1, lua: LEAVE });
    this.commands = redis.client as unknown as WaitingCommands;
    redis.onConnected(() => this.mirror(redis));
  }

  /** Requests `address` holds open on this instance. */
  count(address: string): number {
    return this.counts.get(address) ?? 0;
  }

  /** Takes a place for `address`; false when it already holds `max`. */
  async tryEnter(address: string): Promise<boolean> {
    if (this.redis?.shared) {
      try {
        const entered = await this.commands!.cafeEnterWaiting(
          this.hashOf(address),
          this.redis.incarnation,
          this.max,
          this.redis.aliveKey(''),
          HASH_LIFETIME_MS,
        );
        if (entered === 1) this.add(address, 1);
        return entered === 1;
      } catch (error) {
        this.redis.failed(error as Error);
      }
    }
    if (this.count(address) >= this.max) return false;
    this.add(address, 1);
    return true;
  }

  leave(address: string): void {
    this.add(address, -1);
    if (this.redis?.shared) {
      this.commands!.cafeLeaveWaiting(this.hashOf(address), this.redis.incarnation).catch(
        (error: Error) => this.redis?.failed(error),
      );
    }
  }

  private add(address: string, delta: number): void {
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
