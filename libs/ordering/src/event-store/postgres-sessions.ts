import { Socket } from 'node:net';
import { Client, type ClientConfig, Pool, type QueryResult, type QueryResultRow } from 'pg';
import { EventStoreUnavailable } from './event-store.errors';
import { PostgresLink } from './postgres-link';
import type { SessionDeadlines } from '../session-deadlines';

/** Connections of the pool: the writer's group in flight, the follower's read, and room to spare. */
const POOL_SIZE = 4;
/**
 * The server is asked to cancel a statement at the query timeout (statement_timeout) and
 * given this much longer to say so: a cancelled statement committed nothing, which is the
 * answer to trust. Only a session that stays silent past both is destroyed.
 */
const SERVER_ANSWER_GRACE_MS = 1000;

/**
 * Every session this process holds to PostgreSQL, each known alive or replaced: TCP keepalive
 * on every socket, a connect timeout, and a client-side deadline on every query (a server that
 * cannot be heard never delivers its own statement_timeout). A query that misses its deadline
 * means the network went silent, so every session is destroyed at once, not only that one:
 * what was in flight on them fails now rather than at its own deadline, and the pool opens
 * fresh connections once the database answers again (docs/adr/0013).
 */
export class PostgresSessions {
  readonly pool: Pool;
  readonly link = new PostgresLink();
  private readonly sockets = new Set<Socket>();
  /** A deadline was missed and no query has succeeded since: the network is silent. */
  private silent = false;

  constructor(
    private readonly url: string,
    readonly deadlines: SessionDeadlines,
  ) {
    this.pool = new Pool({
      ...this.config(deadlines.queryTimeoutMs + SERVER_ANSWER_GRACE_MS),
      statement_timeout: deadlines.queryTimeoutMs,
      max: POOL_SIZE,
    });
    // An idle connection that breaks is replaced on the next query; the error alone is not fatal.
    this.pool.on('error', () => undefined);
  }

  /**
   * A session of its own outside the pool (the LISTEN session, the migrations): each query on
   * it must answer within `queryDeadlineMs`.
   */
  client(applicationName: string, queryDeadlineMs: number): Client {
    return new Client({ ...this.config(queryDeadlineMs), application_name: applicationName });
  }

  /**
   * A query on the pool. After a missed deadline, until the LISTEN session is open again, the
   * database is known out of reach and is not asked: the caller hears 503 at once rather than
   * at a deadline of its own. A loud failure (refused, reset) costs little to try again.
   */
  async query<R extends QueryResultRow>(sql: string, values: unknown[]): Promise<QueryResult<R>> {
    if (this.silent && !this.link.listening) throw this.link.unavailable();
    try {
      const result = await this.pool.query<R>(sql, values);
      this.silent = false;
      this.link.reachable();
      return result;
    } catch (error) {
      throw this.failed(error);
    }
  }

  /** Records a failed query or session; a missed deadline destroys every session. */
  failed(error: unknown): EventStoreUnavailable {
    if (missedDeadline(error)) {
      this.silent = true;
      this.destroyAll();
    }
    return this.link.unreachable(error);
  }

  /** Ends the pool politely for as long as a connection may take, then destroys what is left. */
  async end(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.deadlines.connectTimeoutMs).unref();
    });
    await Promise.race([this.pool.end().catch(() => undefined), late]);
    clearTimeout(timer);
    this.destroyAll();
  }

  private destroyAll(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  private config(queryDeadlineMs: number): ClientConfig {
    return {
      connectionString: this.url,
      connectionTimeoutMillis: this.deadlines.connectTimeoutMs,
      query_timeout: queryDeadlineMs,
      // The kernel's probes find a peer that vanished from a connection nobody uses; the
      // deadlines above find the rest sooner.
      keepAlive: true,
      keepAliveInitialDelayMillis: this.deadlines.heartbeatMs,
      stream: () => {
        const socket = new Socket();
        this.sockets.add(socket);
        socket.once('close', () => this.sockets.delete(socket));
        return socket;
      },
    };
  }
}

/** node-postgres's own words when a query or a connection outlived its client-side deadline. */
function missedDeadline(error: unknown): boolean {
  const { message } = (error ?? {}) as { message?: unknown };
  return (
    typeof message === 'string' &&
    /^(Query read timeout|timeout expired|Connection terminated due to connection timeout)/.test(
      message,
    )
  );
}
