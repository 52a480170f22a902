import type { Logger } from 'pino';
import type { EventListener } from '../event-store/event-store';

/** A store listener that writes one `info` line per domain event once it is durable. */
export function logEvents(logger: Logger): EventListener {
  const events = logger.child({ context: 'events' });
  return (batch) => {
    if (!events.isLevelEnabled('info')) return;
    for (const { position, event } of batch) {
      const { type, orderId, at, ...data } = event;
      events.info(
        { position, type, order_id: orderId, at: new Date(at).toISOString(), data },
        'event',
      );
    }
  };
}
