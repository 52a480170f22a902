import { randomUUID } from 'node:crypto';
import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import type { CafeMetrics, SessionDeadlines } from '@cafe/ordering';

/** Where the flood defence shares its state (REDIS_URL, REDIS_KEY_PREFIX). */
export interface RedisTarget {
  readonly url: string;
  /** Starts every key and channel name, so that several cafés or tests can share one Redis. */
  readonly keyPrefix: string;
  /** How its connections are proven alive, as every session's (HEARTBEAT_SECONDS and the others). */
  readonly deadlines: SessionDeadlines;
}

/** REDIS_URL cannot work as given: Redis answered with an error, or it is not Redis at all. */
export class RedisUnusable extends Error {
  override readonly name = 'RedisUnusable';
}

/** Errors of a server that is down or out of reach: the café starts and limits on its own. */
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'EPIPE',
]);

/**
 * Keys this connection wrote count while its alive key lives: three heartbeats, so that one
 * late beat does not drop them.
 */
const ALIVE_FOR_HEARTBEATS = 3;

/**
 * The flood defence's connection to Redis, failing open: while Redis answers, `shared` is true
 * and the throttler's counters, the blocks and the waiting counts are the fleet's; while it does
 * not, each instance limits on its own (logged once per outage, `cafe_flood_limits_shared` 0)
 * and ioredis keeps reconnecting. Every (re)connection gets a new `incarnation`, and what this
 * instance holds is written again under it (`onConnected`), so nothing written before an outage
 * is counted twice or lost.
 */
export class FloodRedis implements OnApplicationShutdown {
  private readonly log = new Logger(FloodRedis.name);
  private readonly subscriber: Redis;
  private readonly instanceId = randomUUID();
  private connections = 0;
  private readonly connectedListeners: (() => void)[] = [];
  private readonly heartbeat: NodeJS.Timeout;
  private isShared = false;
  /** An outage is logged when it starts, not once per failed command. */
  private outageLogged = false;
  private closing = false;
  incarnation = '';

  private constructor(
    readonly client: Redis,
    private readonly target: RedisTarget,
    private readonly metrics: CafeMetrics,
  ) {
    // Subscribing waits for a connection, and ioredis subscribes again after each reconnect.
    this.subscriber = client.duplicate({ enableOfflineQueue: true });
    // The command connection reports the same outage; blocks are also in the throttler's keys.
    this.subscriber.on('error', () => undefined);
    handshakeDeadline(this.subscriber, target.deadlines.connectTimeoutMs);
    client.on('error', (error: Error) => this.failed(error));
    client.on('close', () => this.failed(new Error('connection closed')));
    client.on('ready', () => this.connected());
    this.heartbeat = setInterval(() => this.beat(), target.deadlines.heartbeatMs).unref();
  }

  /**
   * Connects once; a server that does not answer is an outage (the café starts and limits per
   * instance), a server that refuses us or is no Redis throws `RedisUnusable`.
   */
  static async connect(target: RedisTarget, metrics: CafeMetrics): Promise<FloodRedis> {
    const { deadlines } = target;
    const client = new Redis(target.url, {
      lazyConnect: true,
      // Fail at once while disconnected rather than queue: the caller falls back to local limits.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      // Redis on a LAN answers in well under a millisecond, but a café busy refusing a flood may
      // not read the answer for a while, and a deadline that fires first turns a busy event
      // loop into per-instance limits (a flood over three instances got 312 orders past a
      // burst limit of 300 with 1 s): QUERY_TIMEOUT_SECONDS, 5 s by default (docs/adr/0013).
      commandTimeout: deadlines.queryTimeoutMs,
      connectTimeout: deadlines.connectTimeoutMs,
      keepAlive: deadlines.heartbeatMs,
    });
    handshakeDeadline(client, deadlines.connectTimeoutMs);
    let lastError: Error | undefined;
    const remember = (error: Error) => (lastError = error);
    client.on('error', remember);
    const reached = await client.connect().then(
      () => true,
      () => false,
    );
    client.off('error', remember);
    const refused = lastError !== undefined && !isUnreachable(lastError);
    if (refused || (!reached && lastError === undefined)) {
      client.disconnect();
      throw new RedisUnusable(
        `REDIS_URL ${withoutPassword(target.url)}: ${lastError?.message ?? 'cannot connect'}`,
      );
    }
    const redis = new FloodRedis(client, target, metrics);
    if (reached) redis.connected();
    else redis.failed(lastError as Error);
    await redis.subscriber.connect().catch(() => undefined); // it reconnects on its own
    return redis;
  }

  /** Whether limits are shared right now; false during an outage. */
  get shared(): boolean {
    return this.isShared;
  }

  /** `name` under this café's key prefix. */
  key(name: string): string {
    return this.target.keyPrefix + name;
  }

  /** The key that exists while `incarnation` is alive. */
  aliveKey(incarnation: string): string {
    return this.key(`alive:${incarnation}`);
  }

  /**
   * Runs `listener` on every (re)connection, before `shared` turns true: it sends again what
   * this instance holds. It must only send (commands keep their order on the connection), not
   * await, so that nothing changes between its snapshot and the commands that follow.
   */
  onConnected(listener: () => void): void {
    this.connectedListeners.push(listener);
  }

  /** Called when a command failed: limits go per instance until the connection is back. */
  failed(error: Error): void {
    if (this.closing) return;
    const wasShared = this.isShared;
    this.isShared = false;
    this.metrics.setFloodLimitsShared(false);
    if (!this.outageLogged) {
      this.outageLogged = true;
      this.log.warn(
        `Redis (REDIS_URL ${withoutPassword(this.target.url)}) unreachable: ${error.message}; ` +
          'each instance limits floods on its own until it is back',
      );
    }
    // A timed-out command leaves the connection up but untrusted: reconnect, then resend.
    if (wasShared && this.client.status === 'ready') this.client.disconnect(true);
  }

  publish(channel: string, message: string): void {
    if (!this.isShared) return;
    this.client.publish(this.key(channel), message).catch((error: Error) => this.failed(error));
  }

  subscribe(channel: string, listener: (message: string) => void): void {
    const name = this.key(channel);
    this.subscriber.on('message', (from: string, message: string) => {
      if (from === name) listener(message);
    });
    void this.subscriber.subscribe(name).catch(() => undefined); // closed before it connected
  }

  onApplicationShutdown(): void {
    this.closing = true;
    this.isShared = false;
    clearInterval(this.heartbeat);
    if (this.client.status === 'ready') {
      // Our waiting counts stop counting at once, not when the heartbeat would have expired.
      void this.client.del(this.aliveKey(this.incarnation)).catch(() => undefined);
    }
    void this.client.quit().catch(() => undefined);
    this.subscriber.disconnect();
  }

  private connected(): void {
    const previous = this.incarnation;
    this.incarnation = `${this.instanceId}.${++this.connections}`;
    const alive = this.client
      .multi()
      .set(this.aliveKey(this.incarnation), '1', 'PX', this.aliveForMs);
    if (previous !== '') alive.del(this.aliveKey(previous));
    alive.exec().catch((error: Error) => this.failed(error));
    for (const listener of this.connectedListeners) listener();
    this.isShared = true;
    this.metrics.setFloodLimitsShared(true);
    if (this.outageLogged) {
      this.outageLogged = false;
      this.log.log(`Redis is back: flood limits are shared again`);
    }
  }

  private get aliveForMs(): number {
    return ALIVE_FOR_HEARTBEATS * this.target.deadlines.heartbeatMs;
  }

  /**
   * Proves both connections alive. The subscriber only listens, so nothing else would tell
   * that a silent network left it half-open: a ping it misses replaces it (ioredis subscribes
   * again on the new one; a block missed meanwhile is in the throttler's keys as well).
   */
  private beat(): void {
    if (this.subscriber.status === 'ready') {
      this.subscriber.ping().catch(() => {
        if (this.subscriber.status === 'ready') this.subscriber.disconnect(true);
      });
    }
    if (!this.isShared) return;
    this.client
      .set(this.aliveKey(this.incarnation), '1', 'PX', this.aliveForMs)
      .catch((error: Error) => this.failed(error));
  }
}

/**
 * ioredis's connectTimeout ends with TCP's handshake; then it waits for its own commands
 * (client info, the ready check) each up to the command timeout. Through a silent link a
 * reconnection could so hang 10 s before its next try: the whole opening gets the connect
 * timeout, as PostgreSQL's sessions do.
 */
function handshakeDeadline(redis: Redis, connectTimeoutMs: number): void {
  let timer: NodeJS.Timeout | undefined;
  redis.on('connect', () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (redis.status !== 'connect') return;
      // Reported as the outage it is (ETIMEDOUT): at start, the café then starts without Redis.
      const silent = Object.assign(new Error('no answer to the handshake'), { code: 'ETIMEDOUT' });
      redis.emit('error', silent);
      redis.disconnect(true);
    }, connectTimeoutMs).unref();
  });
  redis.on('ready', () => clearTimeout(timer));
}

function isUnreachable(error: Error): boolean {
  return UNREACHABLE.has((error as NodeJS.ErrnoException).code ?? '');
}

/** The URL as logged: a password is not for the log. */
function withoutPassword(url: string): string {
  const parsed = new URL(url);
  if (parsed.password !== '') parsed.password = '***';
  return parsed.toString();
}
