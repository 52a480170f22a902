import type { QueryResultRow } from 'pg';
import { places, settles } from '../domain/order';
import type { OrderEvent } from '../events';
import type { KeyedOrder } from '../projections/idempotency-key.projection';
import { firstPositionAt, type StoredEvent } from './event-store';
import type { PostgresSessions } from './postgres-sessions';
import { type EventRow, storedFromRow } from './postgres-rows';

const COLUMNS = 'SELECT position, stream, version, data FROM cafe_events';
/** How far back a start looks for the latest settled orders, in events per order kept. */
const EVENTS_PER_RECENT_ORDER = 8;

/** What a start reads: the events the views need, as of one snapshot, and that snapshot's head. */
export interface StartingPoint {
  readonly events: readonly StoredEvent[];
  readonly head: number;
}

/**
 * Reads of the log straight from the database, by stream and by position, for everything the
 * views no longer hold (docs/adr/0013), and what a start needs.
 */
export class PostgresReads {
  constructor(private readonly sessions: PostgresSessions) {}

  stream(stream: string): Promise<StoredEvent[]> {
    return this.events(`${COLUMNS} WHERE stream = $1 ORDER BY version`, [stream]);
  }

  page(fromPosition: number, limit: number): Promise<StoredEvent[]> {
    const count = Number.isFinite(limit) ? limit : null;
    return this.events(`${COLUMNS} WHERE position >= $1 ORDER BY position LIMIT $2`, [
      fromPosition,
      count,
    ]);
  }

  async head(): Promise<number> {
    const { rows } = await this.query<{ position: string }>('SELECT position FROM cafe_log_head');
    return Number(rows[0].position);
  }

  /** A binary search over the positions, one indexed read a step. */
  async positionAt(at: number): Promise<number> {
    return firstPositionAt(at, 1, (await this.head()) + 1, async (position) => {
      const { rows } = await this.query<{ at: string }>(
        'SELECT at FROM cafe_events WHERE position = $1',
        [position],
      );
      return Number(rows[0].at);
    });
  }

  async orderPlacedUnder(key: string): Promise<KeyedOrder | undefined> {
    const { rows } = await this.query<{ order_id: string; fingerprint: string }>(
      'SELECT order_id, fingerprint FROM cafe_idempotency_keys WHERE key = $1',
      [key],
    );
    return rows[0] && { orderId: rows[0].order_id, fingerprint: rows[0].fingerprint };
  }

  /**
   * The streams of the live orders (cafe_live_orders, migration 006) and of the latest
   * `recentOrders` settled ones, in log order, and the head, all as of one snapshot. A live
   * order's stream must be an order's that has not settled: else the table does not match the
   * log, and is refilled from it before a second try.
   */
  async startingPoint(recentOrders: number): Promise<StartingPoint> {
    const start = await this.read(recentOrders);
    if (start !== 'mismatch') return start;
    await this.rebuildLiveOrders();
    const again = await this.read(recentOrders);
    if (again === 'mismatch')
      throw new Error('cafe_live_orders does not match the log after a rebuild');
    return again;
  }

  /** Refills cafe_live_orders from the whole log (`make rebuild-views`). */
  async rebuildLiveOrders(): Promise<void> {
    await this.query('SELECT cafe_rebuild_live_orders()');
  }

  private async read(recentOrders: number): Promise<StartingPoint | 'mismatch'> {
    const client = await this.sessions.pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const { rows: heads } = await client.query<{ position: string }>(
        'SELECT position FROM cafe_log_head',
      );
      const head = Number(heads[0].position);
      const { rows: live } = await client.query<{ stream: string }>(
        'SELECT stream FROM cafe_live_orders',
      );
      const { rows: latest } = await client.query<{ stream: string; type: string }>(
        'SELECT stream, type FROM cafe_events WHERE position > $1 ORDER BY position DESC',
        [head - recentOrders * EVENTS_PER_RECENT_ORDER],
      );
      const streams = new Set(live.map(({ stream }) => stream));
      latest
        .filter(({ type }) => settles({ type: type as OrderEvent['type'] }))
        .slice(0, recentOrders)
        .forEach(({ stream }) => streams.add(stream));
      // One index lookup per stream whatever the planner knows: with `stream = ANY($1)` a log
      // without statistics (never analysed, as after a bulk load or with autovacuum off) was
      // read whole, past the query timeout at 10,000,000 events. OFFSET 0 keeps the lateral
      // subquery from being flattened into that join.
      const { rows } = await client.query<EventRow>(
        `SELECT e.position, e.stream, e.version, e.data FROM unnest($1::text[]) AS wanted(stream)
           CROSS JOIN LATERAL (${COLUMNS} WHERE stream = wanted.stream OFFSET 0) e
           ORDER BY e.position`,
        [[...streams]],
      );
      await client.query('COMMIT');
      const events = rows.map(storedFromRow);
      const liveStreams = new Set(live.map(({ stream }) => stream));
      const placed = new Set(
        events
          .filter(({ version, event }) => version === 1 && places(event))
          .map(({ stream }) => stream),
      );
      const mismatch =
        [...streams].some((stream) => !placed.has(stream)) ||
        events.some(({ stream, event }) => liveStreams.has(stream) && settles(event));
      return mismatch ? 'mismatch' : { events, head };
    } finally {
      client.release();
    }
  }

  private async events(text: string, values: unknown[]): Promise<StoredEvent[]> {
    return (await this.query<EventRow>(text, values)).rows.map(storedFromRow);
  }

  private query<R extends QueryResultRow>(text: string, values: unknown[] = []) {
    return this.sessions.query<R>(text, values);
  }
}
