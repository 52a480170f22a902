import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { eventually, freePort, type HttpAnswer } from './http-client';
import { installedPath } from './installed-tool';

/** The Redis the tests share: REDIS_URL, or the local server. */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** For tests that stop and start a Redis of their own. */
export const REDIS_SERVER = installedPath('redis-server');

/** Whether a Redis answers PING at `url`; asked in a child process, because `describe` cannot wait. */
function answersPing(url: string): boolean {
  const probe = `
    const Redis = require('ioredis');
    const redis = new Redis(process.argv[1], { lazyConnect: true, retryStrategy: () => null, connectTimeout: 2000 });
    redis.on('error', () => undefined);
    redis.connect().then(() => redis.ping()).then(() => process.exit(0), () => process.exit(1));`;
  try {
    execFileSync(process.execPath, ['-e', probe, url], {
      cwd: __dirname,
      stdio: 'ignore',
      timeout: 5000,
    });
    return true;
  } catch {
    return false;
  }
}

/**
 * `describe` for tests that need the shared Redis. Run by hand without one, they are skipped
 * with a message saying why; in CI (`.ci/run` sets CI and starts Redis) it is a failure.
 */
export function describeWithRedis(): jest.Describe {
  if (answersPing(REDIS_URL)) return describe;
  const message = `no Redis answers at REDIS_URL ${REDIS_URL} (.ci/run starts one)`;
  if (process.env.CI) throw new Error(message);
  console.warn(`SKIPPED: ${message}`);
  return describe.skip;
}

/** A key prefix of its own for one test, so that tests sharing a Redis never meet. */
export function testKeyPrefix(): string {
  return `test:${randomUUID()}:`;
}

/** Deletes every key a test wrote under `prefix`. */
export async function dropKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

async function pings(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** A Redis of the test's own on a free loopback port, to stop and start again as an outage. */
export class ThrowawayRedis {
  private server: ChildProcess | undefined;

  private constructor(readonly port: number) {}

  /** Picks the port; the server is not running until `start`. */
  static async create(): Promise<ThrowawayRedis> {
    return new ThrowawayRedis(await freePort());
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts it with nothing saved to disk and resolves once it answers. */
  async start(): Promise<void> {
    const args = [
      '--port',
      String(this.port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
    ];
    this.server = spawn(REDIS_SERVER, args, { stdio: 'ignore' });
    await eventually(() => pings(this.url), 5000);
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined || server.exitCode !== null || server.signalCode !== null) return;
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGKILL');
    await exited;
  }
}

/** Whether a café's flood limits are shared right now, as its metrics say. */
export async function floodLimitsShared(cafe: {
  barista(method: string, path: string): Promise<HttpAnswer>;
}): Promise<boolean> {
  const metrics = (await cafe.barista('GET', '/metrics')).body as string;
  return /^cafe_flood_limits_shared 1$/m.test(metrics);
}
