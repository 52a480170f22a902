import { EventStoreUnavailable } from './event-store.errors';

/** The log could not be opened at start; the message names the cause. The café refuses to start. */
export class EventLogUnreachable extends Error {
  override readonly name = 'EventLogUnreachable';
}

/**
 * Whether the database answers, as the last query and the LISTEN session found it. Lost on
 * a failure of the network or the server; found again by a query that succeeds while the
 * LISTEN session is open. A statement the server itself cancelled at statement_timeout (a
 * session holding the log's lock, a disk that stopped) leaves it up: the server answered, the
 * log is stuck, and the caller is refused all the same.
 */
export class PostgresLink {
  /** Whether the LISTEN session is open: the follower says so. */
  listening = false;
  private lost?: Error;

  get up(): boolean {
    return this.lost === undefined;
  }

  reachable(): void {
    if (this.lost && this.listening) this.lost = undefined;
  }

  /** Records the failure; returns what to tell the caller whose query failed. */
  unreachable(error: unknown): EventStoreUnavailable {
    if (!cancelledByServer(error))
      this.lost = error instanceof Error ? error : new Error(String(error));
    return new EventStoreUnavailable(`PostgreSQL: ${reason(error)}`);
  }

  /** What a caller hears while the link is down and nothing is tried. */
  unavailable(): EventStoreUnavailable {
    return new EventStoreUnavailable(`PostgreSQL: ${reason(this.lost)}`);
  }
}

/** query_canceled (statement_timeout) and lock_not_available: the server's own refusals. */
const CANCELLED_BY_SERVER = new Set(['57014', '55P03']);

function cancelledByServer(error: unknown): boolean {
  const { code } = (error ?? {}) as { code?: unknown };
  return typeof code === 'string' && CANCELLED_BY_SERVER.has(code);
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
