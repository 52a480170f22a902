import { readFileSync } from 'node:fs';
import {
  HTTP_ADAPTERS,
  type HttpAdapterName,
  type RequestTimeouts,
  TrustedProxies,
} from '@cafe/http';
import {
  DEFAULT_BREW_LEASE_MS,
  DEFAULT_SESSION_DEADLINES,
  type EventStoreChoice,
  QUEUE_POLICIES,
  type QueuePolicyName,
  type SessionDeadlines,
  Retention,
} from '@cafe/ordering';
import { StaffTokens, type StreamReaderLimits } from '@cafe/barista';
import type { FloodDefenceOptions, RedisTarget } from '@cafe/customer';

/** pino's levels; `silent` logs nothing. At `warn` and above no line is written per request. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];
/** `json`: one JSON object per line, for machines; `pretty`: coloured text for a terminal. */
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface CafeConfig {
  readonly customerHost: string;
  /** Loopback by default: the barista app is for staff. */
  readonly baristaHost: string;
  /** Whose bearer tokens the barista app accepts; undefined: it is open to whoever reaches it. */
  readonly staffTokens?: StaffTokens;
  readonly customerPort: number;
  readonly baristaPort: number;
  readonly httpAdapter: HttpAdapterName;
  readonly logLevel: LogLevelName;
  readonly logFormat: LogFormat;
  readonly eventStore: EventStoreChoice;
  readonly queuePolicy: QueuePolicyName;
  readonly flood: FloodDefenceOptions;
  /** How long a barista may brew an order before it goes back to the front of the queue. */
  readonly brewLeaseMs: number;
  /** How long a signalled café keeps serving what is queued or brewing before it closes. */
  readonly drainTimeoutMs: number;
  /**
   * How long an order with an Idempotency-Key waits for its customer to come back once the
   * process that held them is gone; one without a key is withdrawn at once.
   */
  readonly orphanReattachMs: number;
  /** How long a client may take to send its headers, and its whole request. */
  readonly requestTimeouts: RequestTimeouts;
  /** How every session to PostgreSQL and Redis is proven alive, or replaced. */
  readonly sessionDeadlines: SessionDeadlines;
  /** How many `GET /events/stream` readers may be open, in all and per address. */
  readonly streamReaders: StreamReaderLimits;
  /** The customer port's connections: per address, and the descriptors kept for the rest. */
  readonly door: { readonly perAddress: number; readonly descriptorReserve: number };
  /** What memory keeps of the past (issue 17): the settled orders, the memory store's events, the keys. */
  readonly retention: Retention;
}

/** A setting that cannot be used; the message names the variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

/** Reads and validates every setting once, at start. */
/**
 * `terminal`: whether stdout is one, which makes readable lines the default log format (a
 * person is watching); piped or in a container, lines stay JSON for whatever collects them.
 */
export function loadConfig(
  env: Env = process.env,
  terminal = Boolean(process.stdout.isTTY),
): CafeConfig {
  const deadlines = sessionDeadlines(env);
  const flood = floodDefence(env, deadlines);
  const config: CafeConfig = {
    customerHost: text(env, 'CUSTOMER_HOST', text(env, 'HOST', '0.0.0.0')),
    baristaHost: text(env, 'BARISTA_HOST', text(env, 'HOST', '127.0.0.1')),
    staffTokens: staffTokens(env),
    customerPort: port(env, 'CUSTOMER_PORT', 8000),
    baristaPort: port(env, 'BARISTA_PORT', 8001),
    httpAdapter: oneOf(env, 'HTTP_ADAPTER', HTTP_ADAPTERS, 'express'),
    logLevel: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    logFormat: oneOf(env, 'LOG_FORMAT', LOG_FORMATS, terminal ? 'pretty' : 'json'),
    eventStore: eventStore(env, 'EVENT_STORE'),
    queuePolicy: oneOf(env, 'QUEUE_POLICY', QUEUE_POLICIES, 'fifo'),
    flood,
    brewLeaseMs: milliseconds(env, 'BREW_LEASE_SECONDS', DEFAULT_BREW_LEASE_MS, 1, DAY_MS),
    drainTimeoutMs: milliseconds(env, 'DRAIN_TIMEOUT_SECONDS', 30_000, 0, HOUR_MS),
    orphanReattachMs: milliseconds(env, 'ORPHAN_REATTACH_SECONDS', 300_000, 1, DAY_MS),
    requestTimeouts: requestTimeouts(env),
    sessionDeadlines: deadlines,
    streamReaders: streamReaders(env),
    door: door(env, flood.maxWaitingPerAddress),
    retention: retention(env),
  };
  if (config.customerPort !== 0 && config.customerPort === config.baristaPort) {
    throw new ConfigError(
      `CUSTOMER_PORT and BARISTA_PORT must differ, both are ${config.customerPort}`,
    );
  }
  return config;
}

/** Defaults for the story: a group of 200 at once from one address passes; thousands do not. */
function floodDefence(env: Env, deadlines: SessionDeadlines): FloodDefenceOptions {
  return {
    trustedProxies: trustedProxies(env, 'TRUSTED_PROXIES'),
    burst: {
      limit: count(env, 'THROTTLE_BURST_LIMIT', 300),
      seconds: count(env, 'THROTTLE_BURST_SECONDS', 10),
    },
    sustained: {
      limit: count(env, 'THROTTLE_SUSTAINED_LIMIT', 1000),
      seconds: count(env, 'THROTTLE_SUSTAINED_SECONDS', 3600),
    },
    blockSeconds: count(env, 'THROTTLE_BLOCK_SECONDS', 900),
    maxAddresses: count(env, 'THROTTLE_MAX_ADDRESSES', 100_000),
    maxWaitingPerAddress: count(env, 'MAX_WAITING_PER_ADDRESS', 300),
    // A customer misses only by a typo or an order the café no longer keeps: a group of 200
    // behind one address, each asking once after a memory store restarted, passes; a scan of
    // random ids is cut off at 300 log reads.
    lookupMissesPerMinute: count(env, 'LOOKUP_MISSES_PER_MINUTE', 300),
    redis: redisTarget(env, deadlines),
  };
}

/** Enough for every barista's station and a few boards; each reader costs every event a write. */
function streamReaders(env: Env): StreamReaderLimits {
  const total = count(env, 'EVENT_STREAM_READERS', 200);
  const perAddress = count(env, 'EVENT_STREAM_READERS_PER_ADDRESS', 50);
  if (perAddress > total) {
    throw new ConfigError(
      `EVENT_STREAM_READERS_PER_ADDRESS must not exceed EVENT_STREAM_READERS, got ${perAddress} > ${total}`,
    );
  }
  return { total, perAddress };
}

/**
 * Enough connections per address for its waiting cap plus a margin (its polls, a browser's
 * spare connections); fewer would refuse held orders the cap allows. Descriptors kept for the
 * barista port, health, metrics and the stores' own (FD_RESERVE).
 */
function door(env: Env, maxWaitingPerAddress: number): CafeConfig['door'] {
  const perAddress = count(env, 'MAX_CONNECTIONS_PER_ADDRESS', maxWaitingPerAddress + 50);
  if (perAddress < maxWaitingPerAddress) {
    throw new ConfigError(
      `MAX_CONNECTIONS_PER_ADDRESS must be at least MAX_WAITING_PER_ADDRESS (${maxWaitingPerAddress}), got ${perAddress}`,
    );
  }
  return { perAddress, descriptorReserve: count(env, 'FD_RESERVE', 128) };
}

/** Bounds on what memory keeps; the defaults suit one café and a fleet alike (docs/configuration.md). */
function retention(env: Env): Retention {
  return new Retention({
    recentOrders: count(env, 'RECENT_ORDERS_KEPT', 1000),
    recentOrdersMs: milliseconds(env, 'RECENT_ORDERS_MAX_AGE_SECONDS', HOUR_MS, 1000, 7 * DAY_MS),
    eventsKept: count(env, 'EVENTS_KEPT', 10_000),
    idempotencyKeys: count(env, 'IDEMPOTENCY_KEYS_KEPT', 100_000),
    idempotencyKeyMs: milliseconds(
      env,
      'IDEMPOTENCY_KEY_WINDOW_SECONDS',
      DAY_MS,
      DAY_MS,
      30 * DAY_MS,
    ),
  });
}

/** Node's timers of the request phase; the headers come first, so their limit is the shorter. */
function requestTimeouts(env: Env): RequestTimeouts {
  const headersMs = milliseconds(env, 'HEADERS_TIMEOUT_SECONDS', 30_000, 1, HOUR_MS);
  const requestMs = milliseconds(env, 'REQUEST_TIMEOUT_SECONDS', 60_000, 1, HOUR_MS);
  if (headersMs > requestMs) {
    throw new ConfigError(
      `HEADERS_TIMEOUT_SECONDS must not exceed REQUEST_TIMEOUT_SECONDS, got ${headersMs / 1000} > ${requestMs / 1000}`,
    );
  }
  return { headersMs, requestMs };
}

/** From a tenth of a second (tests) to a minute: past that, a silent network goes unnoticed too long. */
function sessionDeadlines(env: Env): SessionDeadlines {
  const { heartbeatMs, queryTimeoutMs, connectTimeoutMs } = DEFAULT_SESSION_DEADLINES;
  return {
    heartbeatMs: milliseconds(env, 'HEARTBEAT_SECONDS', heartbeatMs, 100, MINUTE_MS),
    queryTimeoutMs: milliseconds(env, 'QUERY_TIMEOUT_SECONDS', queryTimeoutMs, 100, MINUTE_MS),
    connectTimeoutMs: milliseconds(
      env,
      'CONNECT_TIMEOUT_SECONDS',
      connectTimeoutMs,
      100,
      MINUTE_MS,
    ),
  };
}

/** BARISTA_TOKENS (`name:token,...`) or BARISTA_TOKENS_FILE (one `name:token` a line, `#` comments). */
function staffTokens(env: Env): StaffTokens | undefined {
  const inline = raw(env, 'BARISTA_TOKENS');
  const file = raw(env, 'BARISTA_TOKENS_FILE');
  if (inline !== undefined && file !== undefined) {
    throw new ConfigError('set BARISTA_TOKENS or BARISTA_TOKENS_FILE, not both');
  }
  if (inline !== undefined) return parseStaffTokens('BARISTA_TOKENS', inline.split(','));
  if (file === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`BARISTA_TOKENS_FILE: cannot read ${file}: ${(error as Error).message}`);
  }
  const lines = text.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('#'));
  return parseStaffTokens('BARISTA_TOKENS_FILE', lines);
}

function parseStaffTokens(name: string, entries: string[]): StaffTokens {
  try {
    return StaffTokens.parse(entries);
  } catch (error) {
    throw new ConfigError(`${name}: ${(error as Error).message}`);
  }
}

/** `redis://[user:password@]host[:port][/db]` (or `rediss://` for TLS); unset: limits per instance. */
function redisTarget(env: Env, deadlines: SessionDeadlines): RedisTarget | undefined {
  const value = raw(env, 'REDIS_URL');
  if (value === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (
    url === undefined ||
    !['redis:', 'rediss:'].includes(url.protocol) ||
    url.hostname === '' ||
    !/^(\/\d{0,5})?$/.test(url.pathname) ||
    url.search !== '' ||
    url.hash !== ''
  ) {
    throw new ConfigError(
      `REDIS_URL must be redis://host:port (optionally user:password@ before the host, /db after), got "${value.replace(/\/\/[^@/]*@/, '//***@')}"`,
    );
  }
  const keyPrefix = text(env, 'REDIS_KEY_PREFIX', 'cafe:');
  if (!/^[\w:.-]{1,64}$/.test(keyPrefix)) {
    throw new ConfigError(
      `REDIS_KEY_PREFIX must be 1 to 64 letters, digits or _:.-, got "${keyPrefix}"`,
    );
  }
  return { url: value, keyPrefix, deadlines };
}

function raw(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === '' ? undefined : value;
}

function text(env: Env, name: string, fallback: string): string {
  return raw(env, name) ?? fallback;
}

/** 0 asks the system for any free port (tests use it). */
function port(env: Env, name: string, fallback: number): number {
  return wholeNumber(env, name, fallback, 0, 65535);
}

/** Limits and durations: a whole number from 1 to a million (seconds: over eleven days). */
function count(env: Env, name: string, fallback: number): number {
  return wholeNumber(env, name, fallback, 1, 1_000_000);
}

function wholeNumber(env: Env, name: string, fallback: number, min: number, max: number): number {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || parsed < min || parsed > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${value}"`);
  }
  return parsed;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/** Seconds in the variable, to the millisecond (tests use fractions such as 0.2). */
function milliseconds(env: Env, name: string, fallback: number, min: number, max: number): number {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  const parsed = Math.round(Number(value) * 1000);
  if (!/^\d+(\.\d{1,3})?$/.test(value) || parsed < min || parsed > max) {
    throw new ConfigError(
      `${name} must be a number of seconds from ${min / 1000} to ${max / 1000}, with at most 3 decimals, got "${value}"`,
    );
  }
  return parsed;
}

function trustedProxies(env: Env, name: string): TrustedProxies {
  try {
    return TrustedProxies.parse(raw(env, name) ?? '');
  } catch (error) {
    throw new ConfigError(`${name}: ${(error as Error).message}`);
  }
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got "${value}"`);
  }
  return value as T;
}

/**
 * `memory` (the default), `sqlite:<path>` (the file is created if missing) or a PostgreSQL URL
 * (`postgres://` or `postgresql://`), the log a fleet of instances shares.
 */
function eventStore(env: Env, name: string): EventStoreChoice {
  const value = raw(env, name);
  if (value === undefined || value === 'memory') return { kind: 'memory' };
  if (/^postgres(ql)?:/.test(value)) return { kind: 'postgres', url: postgresUrl(name, value) };
  const path = value.startsWith('sqlite:') ? value.slice('sqlite:'.length).trim() : '';
  if (path === '') {
    throw new ConfigError(
      `${name} must be "memory", "sqlite:<path>" or "postgres://user@host:port/database", got "${value}"`,
    );
  }
  return { kind: 'sqlite', path };
}

function postgresUrl(name: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${name} is not a valid URL: "${value}"`);
  }
  if (url.hostname === '' || url.pathname.length <= 1) {
    throw new ConfigError(
      `${name} must name a host and a database, as in postgres://user@host:5432/cafe, got "${value}"`,
    );
  }
  return value;
}
