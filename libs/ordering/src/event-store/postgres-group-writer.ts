import {
  EventStoreUnavailable,
  IdempotencyKeyTaken,
  WrongExpectedVersion,
} from './event-store.errors';
import type { StoredEvent } from './event-store';
import type { PostgresSessions } from './postgres-sessions';
import {
  type AppendResult,
  idempotencyKeyOf,
  type Pending,
  type PendingAppend,
  type Settles,
  storedBy,
  toAppendRow,
} from './postgres-rows';

/**
 * The group commit: the appends and claims made while the previous group is in flight share
 * one transaction, one call of `cafe_append`. Each is settled by its own row of the answer;
 * the landed ones only once `takeLanded` has brought them into the views.
 */
export class PostgresGroupWriter {
  private pending: Pending[] = [];
  private writing?: Promise<void>;

  constructor(
    private readonly sessions: PostgresSessions,
    /** Brings a group's landed batches into the views, in commit order; settles when they are in. */
    private readonly takeLanded: (batches: readonly StoredEvent[][]) => Promise<void>,
  ) {}

  enqueue(pending: (settles: Settles) => Pending): Promise<readonly StoredEvent[]> {
    return new Promise((resolve, reject) => {
      this.pending.push(pending({ resolve, reject }));
      // The first append waits for the turn to end, so that the turn's appends share a commit.
      this.writing ??= new Promise<void>((done) => setImmediate(done)).then(() => this.write());
    });
  }

  /** Resolves once the groups in flight have committed (or failed). */
  durable(): Promise<void> {
    return this.writing ?? Promise.resolve();
  }

  /** Resolves once nothing is left to write, however many groups follow each other meanwhile. */
  async settled(): Promise<void> {
    while (this.writing) await this.writing;
  }

  /** Sends the pending appends as groups, one transaction at a time, until none is left. */
  private async write(): Promise<void> {
    while (this.pending.length > 0) {
      const group = this.pending;
      this.pending = [];
      await this.writeGroup(group);
    }
    this.writing = undefined;
  }

  private async writeGroup(group: readonly Pending[]): Promise<void> {
    let results: AppendResult[];
    try {
      ({ rows: results } = await this.sessions.query<AppendResult>(
        'SELECT first_position, refused, actual_version, stream FROM cafe_append($1::jsonb)',
        [JSON.stringify(group.map(toAppendRow))],
      ));
    } catch (error) {
      // Not acknowledged, and not sent again: a group whose answer was lost may have committed
      // (the follower then reads it like any other), and a second try would place it twice.
      for (const append of group) append.reject(error as EventStoreUnavailable);
      return;
    }
    const landed: { append: Pending; batch: StoredEvent[] }[] = [];
    results.forEach((result, i) => {
      const append = group[i];
      if (result.refused === 'empty') {
        append.resolve([]);
      } else if (result.refused === 'version') {
        const { stream, expectedVersion } = append as PendingAppend;
        append.reject(
          new WrongExpectedVersion(stream, expectedVersion, Number(result.actual_version)),
        );
      } else if (result.refused === 'key') {
        append.reject(new IdempotencyKeyTaken(idempotencyKeyOf(append as PendingAppend) as string));
      } else {
        landed.push({ append, batch: storedBy(append, result) });
      }
    });
    if (landed.length === 0) return;
    // Not awaited: the next group goes to the database while this one enters the views, in
    // turn on the follow chain, so groups still enter them in the order they committed.
    this.takeLanded(landed.map(({ batch }) => batch)).then(
      () => {
        for (const { append, batch } of landed) append.resolve(batch);
      },
      (error: unknown) => {
        // Committed, but this process could not read up to it: the customer is not told yet.
        const unavailable =
          error instanceof EventStoreUnavailable ? error : this.sessions.failed(error);
        for (const { append } of landed) append.reject(unavailable);
      },
    );
  }
}
