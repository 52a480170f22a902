import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { EventStore } from '../event-store/event-store';
import { type EventHistoryPage, GetEventHistoryQuery } from './get-event-history.query';

/**
 * Reads a page straight from the log. The time bounds become positions by the store's binary
 * search, so a page costs O(log n + limit) however long the log is.
 */
@QueryHandler(GetEventHistoryQuery)
export class GetEventHistoryHandler implements IQueryHandler<GetEventHistoryQuery> {
  constructor(private readonly store: EventStore) {}

  async execute({ after, limit, from, to }: GetEventHistoryQuery): Promise<EventHistoryPage> {
    const first = Math.max(after + 1, from === undefined ? 1 : await this.store.positionAt(from));
    const end = to === undefined ? (await this.store.head()) + 1 : await this.store.positionAt(to);
    const events = first < end ? await this.store.readAll(first, Math.min(limit, end - first)) : [];
    const nextAfter = events.at(-1)?.position ?? Math.max(after, first - 1);
    return { events, nextAfter, more: nextAfter + 1 < end };
  }
}
