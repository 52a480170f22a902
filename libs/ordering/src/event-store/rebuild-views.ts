import { QueueProjection } from '../projections/queue.projection';
import { Retention } from '../retention';
import { type EventStore, replay } from './event-store';
import type { EventStoreChoice } from './event-store.provider';
import { PostgresEventStore } from './postgres-event-store';
import { SqliteEventStore } from './sqlite-event-store';

/** What `make rebuild-views` found. */
export interface RebuildReport {
  /** Events read, each checked. */
  readonly events: number;
  readonly queued: number;
  readonly brewing: number;
}

/** A start from the rebuilt tables gave other live views than a replay of the whole log. */
export class ViewsDisagree extends Error {
  override readonly name = 'ViewsDisagree';
}

/**
 * `make rebuild-views`: the log is the truth. Reads all of it (on SQLite checking every event's
 * checksum and place), rebuilds the tables a start takes the live orders from, then starts on
 * them and checks that the live views (the queue, the orders brewing with their lease clocks)
 * are those a replay of the whole log gives. Run it with the café stopped (SQLite locks its
 * file) or beside a running fleet (PostgreSQL rebuilds under the log's lock).
 */
export async function rebuildViews(
  choice: EventStoreChoice,
  retention = new Retention(),
): Promise<RebuildReport> {
  const started = new QueueProjection();
  let store: EventStore & { close(): Promise<void> };
  switch (choice.kind) {
    case 'memory':
      throw new Error('the memory store has no log to rebuild from: set EVENT_STORE');
    case 'sqlite':
      store = new SqliteEventStore(choice.path, [started], { rebuild: true, retention });
      break;
    case 'postgres': {
      const first = await PostgresEventStore.open(choice.url, [], { retention });
      await first.rebuildLiveOrders().finally(() => first.close());
      store = await PostgresEventStore.open(choice.url, [started], { retention });
      break;
    }
  }
  try {
    const whole = await replay(store, new QueueProjection());
    const live = (queue: QueueProjection) => ({
      queued: queue.ids(),
      brewing: [...queue.brewingByStart()],
    });
    if (JSON.stringify(live(started)) !== JSON.stringify(live(whole))) {
      throw new ViewsDisagree(
        'a start from the rebuilt tables does not give the live orders of the whole log',
      );
    }
    return { events: await store.head(), queued: whole.size, brewing: live(whole).brewing.length };
  } finally {
    await store.close();
  }
}
