import { HTTP_ADAPTERS, type HttpAdapterName } from '@cafe/http';
import { DEFAULT_BREW_LEASE_MS } from '@cafe/ordering';

export interface CafeConfig {
  readonly host: string;
  readonly customerPort: number;
  readonly baristaPort: number;
  readonly httpAdapter: HttpAdapterName;
  /** How long a barista may brew an order before it goes back to the front of the queue. */
  readonly brewLeaseMs: number;
  /** How long a signalled café keeps serving what is queued or brewing before it closes. */
  readonly drainTimeoutMs: number;
}

/** A setting that cannot be used; the message names the variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

/** Reads and validates every setting once, at start. */
export function loadConfig(env: Env = process.env): CafeConfig {
  const config: CafeConfig = {
    host: text(env, 'HOST', '0.0.0.0'),
    customerPort: port(env, 'CUSTOMER_PORT', 8000),
    baristaPort: port(env, 'BARISTA_PORT', 8001),
    httpAdapter: oneOf(env, 'HTTP_ADAPTER', HTTP_ADAPTERS, 'express'),
    brewLeaseMs: milliseconds(env, 'BREW_LEASE_SECONDS', DEFAULT_BREW_LEASE_MS, 1, DAY_MS),
    drainTimeoutMs: milliseconds(env, 'DRAIN_TIMEOUT_SECONDS', 30_000, 0, HOUR_MS),
  };
  if (config.customerPort !== 0 && config.customerPort === config.baristaPort) {
    throw new ConfigError(
      `CUSTOMER_PORT and BARISTA_PORT must differ, both are ${config.customerPort}`,
    );
  }
  return config;
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
  const value = raw(env, name);
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || parsed > 65535) {
    throw new ConfigError(`${name} must be a port number from 0 to 65535, got "${value}"`);
  }
  return parsed;
}

const HOUR_MS = 3_600_000;
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

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got "${value}"`);
  }
  return value as T;
}
