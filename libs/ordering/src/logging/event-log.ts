import type { Logger } from 'pino';
import type { EventStore } from '../event-store/event-store';
import { InfoLines } from './info-lines';

/** Writes one `info` line per domain event once it is durable. */
export class EventLog {
  constructor(store: EventStore, logger: Logger) {
    const lines = new InfoLines(logger.child({ context: 'events' }));
    store.subscribe((batch) => {
      if (!lines.enabled) return;
      for (const { position, event } of batch) {
        const { type, orderId, at, ...data } = event;
        lines.write(
          { position, type, order_id: orderId, at: new Date(at).toISOString(), data },
          'event',
        );
      }
    });
  }
}
