import { Injectable } from '@nestjs/common';
import { EventStore, type StoredEvent } from './event-store';

/** Where a follower's events go: an HTTP stream, in practice. */
export interface EventSink {
  /** Delivers one event; false when the reader has fallen behind and replay should wait for `drained`. */
  send(stored: StoredEvent): boolean;
  /** Resolves true once the reader has caught up, false if it went away first. */
  drained(): Promise<boolean>;
}

/**
 * Read-only access to the log for the HTTP apps: replay from a position, then follow live. The
 * apps get this rather than the store itself, whose `append` must stay behind the commands.
 */
@Injectable()
export class EventFeed {
  constructor(private readonly store: EventStore) {}

  /**
   * Sends `sink` every event after position `after` (by default: only events appended from now
   * on), then each new one once it is durable, until the returned function is called. Replay is
   * paced by the sink, so a long log never piles up in memory; live events cannot wait, so they
   * are pushed and the sink decides what to do with a reader that does not keep up.
   */
  follow(sink: EventSink, after = this.store.head()): () => void {
    let sent = after;
    let live = false;
    let stopped = false;
    const unsubscribe = this.store.subscribe((batch) => {
      if (!live) return; // the replay reads these from the log itself
      for (const stored of batch) {
        if (stored.position <= sent) continue;
        sent = stored.position;
        sink.send(stored);
      }
    });
    const replay = async () => {
      for (;;) {
        let behind = false;
        for (const stored of this.store.readAll(sent + 1)) {
          sent = stored.position;
          if (!sink.send(stored)) {
            behind = true;
            break;
          }
        }
        // Reached the head without yielding: from here on every event comes through the listener.
        if (!behind) break;
        if (!(await sink.drained()) || stopped) return;
      }
      live = true;
    };
    void replay();
    return () => {
      stopped = true;
      unsubscribe();
    };
  }
}
