import type { Client } from 'pg';
import type { StoredEvent } from './event-store';
import type { LiveLog } from './live-log';
import type { PostgresSessions } from './postgres-sessions';
import {
  type EventRow,
  type Notification,
  parseNotification,
  storedFromNotified,
  storedFromRow,
} from './postgres-rows';

/** Events read per query while catching up. */
const CATCH_UP_PAGE = 1000;
const CHANNEL = 'cafe_events';
/** How the LISTEN session shows in pg_stat_activity. */
export const LISTENER_NAME = 'cafe-follower';

/**
 * Follows the database by position: every change to the views runs on one chain, one at a
 * time, in position order, whether it is this instance's own committed group, another
 * instance's group carried by a notification, or a read by position. LISTEN/NOTIFY only wakes
 * it: what it trusts is a read by position (docs/adr/0012).
 */
export class PostgresFollower {
  private following: Promise<void> = Promise.resolve();
  private nextRead?: Promise<void>;
  /** The newest position this instance's own appends reached in the database. */
  private ownHead = 0;
  private listener?: Client;
  private heartbeat?: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly sessions: PostgresSessions,
    /** What this process holds of the log: the follower is the only one that records into it. */
    private readonly log: LiveLog,
    private readonly reconnectMs: number,
  ) {}

  /** Reads what other instances committed since the last read; calls made meanwhile share one read. */
  caughtUp(): Promise<void> {
    this.nextRead ??= this.follow(() => {
      this.nextRead = undefined;
      return this.readNew();
    });
    return this.nextRead;
  }

  /** This instance's group committed: its batches enter the views in turn on the follow chain. */
  takeOwn(batches: readonly StoredEvent[][]): Promise<void> {
    const last = batches[batches.length - 1];
    this.ownHead = last[last.length - 1].position;
    return this.follow(() => this.recordOwn(batches));
  }

  /**
   * Stops following: closes the LISTEN session and lets the chain finish. Not waited on: a
   * session left half-open never says goodbye, and the sessions' end destroys what is left.
   */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.heartbeat);
    const listener = this.listener;
    this.listener = undefined;
    void listener?.end().catch(() => undefined);
    await this.following;
  }

  /**
   * One session that LISTENs, and a heartbeat on it; lost, or silent past a heartbeat, it is
   * opened again, then a read catches up on what it missed.
   */
  async listen(): Promise<void> {
    // The heartbeat's deadline is the query timeout, not the heartbeat's interval: a café busy
    // refusing a flood may not read an answer for a second or two, and a deadline that fires
    // first would destroy every session of a healthy link (docs/adr/0013).
    const listener = this.sessions.client(LISTENER_NAME, this.sessions.deadlines.queryTimeoutMs);
    listener.on('notification', ({ payload }) => {
      const notified = parseNotification(payload);
      // A commit at or below our own newest one needs nothing: recordOwn reads any gap below
      // its group itself. Only other instances' later commits do.
      if (notified.head <= Math.max(this.log.head, this.ownHead)) return;
      void this.takeNotified(notified).catch(() => undefined);
    });
    listener.on('error', (error) => this.sessions.failed(error));
    listener.on('end', () => {
      if (this.listener !== listener || this.closed) return;
      this.listener = undefined;
      this.sessions.link.listening = false;
      clearTimeout(this.heartbeat);
      this.sessions.failed(new Error('the LISTEN session ended'));
      this.relisten();
    });
    try {
      await listener.connect();
      await listener.query(`LISTEN ${CHANNEL}`);
    } catch (error) {
      void listener.end().catch(() => undefined);
      throw this.sessions.failed(error);
    }
    this.listener = listener;
    this.sessions.link.listening = true;
    this.beatAfterPause(listener);
  }

  /**
   * A heartbeat every HEARTBEAT_SECONDS after the previous one answered. One that misses its
   * deadline destroys every session (PostgresSessions), which ends this one and opens it
   * again. One that answers while the link is down reads what was missed: the read succeeding
   * is what brings the link up, and releases whoever waits.
   */
  private beatAfterPause(listener: Client): void {
    this.heartbeat = setTimeout(() => {
      listener
        .query('SELECT 1')
        .then(
          () => {
            if (!this.sessions.link.up) void this.caughtUp().catch(() => undefined);
          },
          (error: unknown) => void this.sessions.failed(error),
        )
        .finally(() => {
          if (this.listener === listener) this.beatAfterPause(listener);
        });
    }, this.sessions.deadlines.heartbeatMs).unref();
  }

  /**
   * Brings this group's committed events into the views: straight from memory when nothing
   * committed between them and what the views hold, otherwise by a read from the database.
   */
  private async recordOwn(batches: readonly StoredEvent[][]): Promise<void> {
    for (const batch of batches) {
      if (batch[0].position > this.log.head + 1) await this.readNew();
      if (batch[0].position !== this.log.head + 1) continue; // the read brought it
      for (const stored of batch) this.log.record(stored);
      this.log.notify(batch);
    }
  }

  /** Reads every event after the views' position, in pages, into the views. */
  private async readNew(): Promise<void> {
    for (;;) {
      const { rows } = await this.sessions.query<EventRow>(
        'SELECT position, stream, version, data FROM cafe_events WHERE position > $1 ORDER BY position LIMIT $2',
        [this.log.head, CATCH_UP_PAGE],
      );
      if (rows.length === 0) return;
      this.take(rows.map(storedFromRow));
      if (rows.length < CATCH_UP_PAGE) return;
    }
  }

  /** Records a run of events that starts right after the views' position, and tells the listeners. */
  private take(batch: readonly StoredEvent[]): void {
    for (const stored of batch) {
      if (stored.position !== this.log.head + 1) {
        throw new Error(`event ${stored.position} follows ${this.log.head}: the log has a gap`);
      }
      this.log.record(stored);
    }
    this.log.notify(batch);
  }

  /**
   * Another instance committed up to `head`: its events, when the notification carries them
   * and they continue the views, go in as they are; anything else is read by position.
   */
  private takeNotified({ head, events }: Notification): Promise<void> {
    return this.follow(async () => {
      const fresh = events?.filter(({ position }) => position > this.log.head) ?? [];
      if (fresh[0]?.position === this.log.head + 1) this.take(fresh.map(storedFromNotified));
      if (this.log.head < head) await this.readNew();
    });
  }

  private follow(step: () => Promise<void>): Promise<void> {
    const run = this.following.then(step);
    this.following = run.catch(() => undefined);
    return run;
  }

  private relisten(): void {
    setTimeout(() => {
      if (this.closed) return;
      // Once listening, a failed read is the heartbeat's to retry, not a second session's.
      this.listen().then(
        () => this.caughtUp().catch(() => undefined),
        () => this.relisten(),
      );
    }, this.reconnectMs).unref();
  }
}
