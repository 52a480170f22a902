/**
 * How every session to PostgreSQL and Redis is proven alive (docs/adr/0013): a network can go
 * silent without closing anything, and a session nobody checks then hangs whatever waits on it.
 */
export interface SessionDeadlines {
  /** How often an idle session (the LISTEN session, the Redis connections) is asked to answer, within the query timeout. */
  readonly heartbeatMs: number;
  /** How long a query or a Redis command may take before its session is destroyed and it fails. */
  readonly queryTimeoutMs: number;
  /** How long opening a session may take, TCP and handshake together. */
  readonly connectTimeoutMs: number;
}

/** Together they bound what a silent network costs: see docs/fleet.md, "When the network fails". */
export const DEFAULT_SESSION_DEADLINES: SessionDeadlines = {
  heartbeatMs: 2000,
  queryTimeoutMs: 5000,
  connectTimeoutMs: 3000,
};
