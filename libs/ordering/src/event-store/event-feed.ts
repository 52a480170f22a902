import { Injectable, Logger } from '@nestjs/common';
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
 *
 * Live events are fanned out to the followers after the append, in a later turn of the event
 * loop, never inside it: the store tells this feed once per batch, and however many readers
 * follow, the append (and the customer whose order it records) waits for none of them.
 */
@Injectable()
export class EventFeed {
  private readonly logger = new Logger(EventFeed.name);
  private readonly followers = new Set<(batch: readonly StoredEvent[]) => void>();
  /** Batches told by the store since the last fan-out. */
  private told: StoredEvent[] = [];
  private fanOutScheduled = false;

  constructor(private readonly store: EventStore) {
    // Subscribed for the store's whole life (docs/adr/0008), once for every follower.
    store.subscribe((batch) => {
      if (this.followers.size === 0) return;
      for (const stored of batch) this.told.push(stored);
      if (this.fanOutScheduled) return;
      this.fanOutScheduled = true;
      setImmediate(() => this.fanOut());
    });
  }

  /**
   * Sends `sink` every event after position `after` (by default: only events appended from now
   * on), then each new one once it is durable, until the returned function is called. Replay is
   * paced by the sink and read a page at a time, so a long log never piles up in memory; live
   * events cannot wait, so they are pushed and the sink decides what to do with a reader that
   * does not keep up.
   */
  follow(sink: EventSink, after?: number): () => void {
    let sent = after ?? 0;
    /** Live events told while a page is being read or the sink drains; undefined once live. */
    let told: StoredEvent[] | undefined = after === undefined ? undefined : [];
    let stopped = false;
    const deliver = (batch: readonly StoredEvent[]) => {
      for (const stored of batch) {
        if (stored.position <= sent) continue;
        sent = stored.position;
        sink.send(stored);
      }
    };
    const follower = (batch: readonly StoredEvent[]) => {
      if (told) told.push(...batch);
      else deliver(batch);
    };
    this.followers.add(follower);
    const replay = async () => {
      for (;;) {
        // Anything told before this read is in the log, so the page includes it.
        told = [];
        const page = await this.store.readAll(sent + 1, REPLAY_PAGE);
        if (stopped) return;
        let behind = false;
        for (const stored of page) {
          sent = stored.position;
          if (!sink.send(stored)) {
            behind = true;
            break;
          }
        }
        if (behind) {
          if (!(await sink.drained()) || stopped) return;
        } else if (page.length < REPLAY_PAGE) {
          break;
        }
      }
      // The page reached the head: what was told since then follows it, and from here on every event.
      const since = told;
      told = undefined;
      deliver(since);
    };
    if (told) void replay();
    return () => {
      stopped = true;
      this.followers.delete(follower);
    };
  }

  private fanOut(): void {
    this.fanOutScheduled = false;
    const batch = this.told;
    this.told = [];
    for (const follower of this.followers) {
      // Outside the append, nobody would catch it: one failing follower must neither stop the
      // others nor the process.
      try {
        follower(batch);
      } catch (error) {
        this.logger.error(`event follower failed: ${String(error)}`, (error as Error)?.stack);
      }
    }
  }
}

/** Events read from the log per step of a replay. */
const REPLAY_PAGE = 500;
