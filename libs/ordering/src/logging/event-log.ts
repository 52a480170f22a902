import type { Logger } from 'pino';
import type { EventStore } from '../event-store/event-store';

/** Writes one `info` line per domain event once it is durable. */
export class EventLog {
  constructor(store: EventStore, logger: Logger) {
    const events = logger.child({ context: 'events' });
    store.subscribe((batch) => {
      if (!events.isLevelEnabled('info')) return;
      for (const { position, event } of batch) {
        const { type, orderId, at, ...data } = event;
        events.info(
          { position, type, order_id: orderId, at: new Date(at).toISOString(), data },
          'event',
        );
      }
    });
  }
}
