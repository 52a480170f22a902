import { Query } from '@nestjs/cqrs';
import type { StoredEvent } from '../event-store/event-store';

export interface EventHistoryPage {
  /** Oldest first. */
  readonly events: readonly StoredEvent[];
  /** The last position this page covers: pass it as `after` to continue. */
  readonly nextAfter: number;
  /** Whether more events matched the query when it ran. */
  readonly more: boolean;
}

/** A page of the log: events after position `after`, placed in [`from`, `to`) when given (epoch ms). */
export class GetEventHistoryQuery extends Query<EventHistoryPage> {
  constructor(
    public readonly after: number,
    public readonly limit: number,
    public readonly from?: number,
    public readonly to?: number,
  ) {
    super();
  }
}
