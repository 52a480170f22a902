import type { Logger } from 'pino';
import type { EventStore, StoredEvent } from '../event-store/event-store';
import { InfoLines } from './info-lines';

/** Writes one `info` line per domain event once it is durable. */
export class EventLog {
  constructor(store: EventStore, logger: Logger) {
    const lines = new InfoLines(logger.child({ context: 'events' }));
    store.subscribe((batch) => {
      if (!lines.enabled) return;
      for (const stored of batch) lines.write(eventLineFields(stored), 'event');
    });
  }
}

/**
 * An event line's fields for `InfoLines.write`, in the order its object had when pino wrote
 * it: `{ position, type, order_id, at, data }`, `data` being the event's other fields (what a
 * client wrote among them, an Idempotency-Key, escaped by JSON.stringify as pino did).
 */
export function eventLineFields({ position, event }: StoredEvent): string {
  const { type, orderId, at, ...data } = event;
  return `,"position":${position},"type":${JSON.stringify(type)},"order_id":${JSON.stringify(orderId)},"at":"${new Date(at).toISOString()}","data":${JSON.stringify(data)}`;
}
