import { EventStoreUnavailable } from './event-store.errors';

/** The log could not be opened at start; the message names the cause. The café refuses to start. */
export class EventLogUnreachable extends Error {
  override readonly name = 'EventLogUnreachable';
}

/**
 * Whether the database answers, as the last query and the LISTEN session found it. Lost on
 * any failure; found again by a query that succeeds while the LISTEN session is open.
 */
export class PostgresLink {
  private lost?: Error;

  constructor(private readonly listening: () => boolean) {}

  get up(): boolean {
    return this.lost === undefined;
  }

  reachable(): void {
    if (this.lost && this.listening()) this.lost = undefined;
  }

  /** Records the failure; returns what to tell the caller whose query failed. */
  unreachable(error: unknown): EventStoreUnavailable {
    this.lost = error instanceof Error ? error : new Error(String(error));
    return new EventStoreUnavailable(`PostgreSQL: ${reason(error)}`);
  }
}

/** The URL without its password, for messages. */
export function redacted(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'the given URL';
  }
}

/** The cause in one line. Duck-typed: node's network errors may come from another realm than ours. */
export function reason(error: unknown): string {
  const { errors, message } = (error ?? {}) as { errors?: unknown[]; message?: unknown };
  if (Array.isArray(errors) && errors.length > 0) return reason(errors[0]);
  return typeof message === 'string' && message !== '' ? message : String(error);
}
