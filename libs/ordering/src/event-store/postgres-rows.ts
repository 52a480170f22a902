import { places, settles, STATUS_AFTER } from '../domain/order';
import { type OrderEvent, OrderStarted } from '../events';
import type { StoredEvent } from './event-store';

/** What a caller waits for: the stored events, none when a claim found the queue empty. */
export interface Settles {
  resolve(batch: readonly StoredEvent[]): void;
  reject(error: Error): void;
}

export interface PendingAppend extends Settles {
  readonly stream: string;
  readonly expectedVersion: number;
  readonly events: readonly OrderEvent[];
}

/** A start of whichever order is oldest in the queue, decided by `cafe_append` (migration 002). */
export interface PendingClaim extends Settles {
  readonly claim: { readonly at: number; readonly barista?: string };
}

export type Pending = PendingAppend | PendingClaim;

/** One row of `cafe_append`'s answer, one per append or claim of the group, in order. */
export interface AppendResult {
  first_position: string | null;
  refused: 'version' | 'key' | 'empty' | null;
  actual_version: number | null;
  stream: string | null;
}

/** A row of `cafe_events` as the follower reads it. */
export interface EventRow {
  position: string;
  stream: string;
  version: number;
  data: OrderEvent;
}

/** What `cafe_append` NOTIFYs at commit: the log's head, with the group's events when they fit. */
export interface Notification {
  head: number;
  events?: { position: number; stream: string; version: number; data: OrderEvent }[];
}

/** A row read from `cafe_events` (its position comes back as a string: bigint). */
export function storedFromRow({ position, stream, version, data }: EventRow): StoredEvent {
  return { position: Number(position), stream, version, event: data };
}

/** An event carried by a notification. */
export function storedFromNotified({
  position,
  stream,
  version,
  data,
}: NonNullable<Notification['events']>[number]): StoredEvent {
  return { position, stream, version, event: data };
}

/** The events an append or a claim stored, from `cafe_append`'s answer. */
export function storedBy(
  pending: Pending,
  { first_position, actual_version, stream }: AppendResult,
): StoredEvent[] {
  const first = Number(first_position);
  const version = Number(actual_version);
  const events =
    'claim' in pending
      ? [new OrderStarted(stream as string, pending.claim.at, pending.claim.barista)]
      : pending.events;
  return events.map((event, n) => ({
    position: first + n,
    stream: stream as string,
    version: version + n + 1,
    event,
  }));
}

/** A payload that is not a notification of ours (or an older schema's bare head) only wakes a read. */
export function parseNotification(payload: string | undefined): Notification {
  try {
    const parsed = JSON.parse(payload ?? '') as Notification | number;
    return typeof parsed === 'number' ? { head: parsed } : parsed;
  } catch {
    return { head: Infinity };
  }
}

/**
 * What `cafe_append` takes for one append or claim, with what the domain says of its events, so
 * that the database keeps its tables naming no event type: `queued`, whether the order is
 * queued once the events are in (STATUS_AFTER), for `cafe_queue` (migration 005); `settles`,
 * whether each event settles its order (`settles`), stored in its row, for `cafe_live_orders`
 * (migration 009). The claim starts an order `cafe_queue` holds, so only an order the domain
 * calls queued; postgres-claim.property.spec.ts plays decide against it.
 */
export function toAppendRow(pending: Pending) {
  if ('claim' in pending) {
    const { at, barista } = pending.claim;
    const started = { type: 'OrderStarted' } as const;
    return {
      claim: { ...started, at, ...(barista === undefined ? {} : { barista }) },
      queued: STATUS_AFTER[started.type] === 'queued',
      settles: [settles(started)],
    };
  }
  const { stream, expectedVersion, events } = pending;
  const key = idempotencyKeyOf({ events });
  const fingerprint = key === undefined ? undefined : placedBy(events)?.idempotency?.fingerprint;
  return {
    stream,
    expected: expectedVersion,
    events,
    queued: events.length > 0 && STATUS_AFTER[events[events.length - 1].type] === 'queued',
    settles: events.map(settles),
    ...(key === undefined ? {} : { key: { key, fingerprint } }),
  };
}

function placedBy(events: readonly OrderEvent[]) {
  const first = events[0];
  return first !== undefined && places(first) ? first : undefined;
}

export function idempotencyKeyOf({
  events,
}: {
  events: readonly OrderEvent[];
}): string | undefined {
  return placedBy(events)?.idempotency?.key;
}
