import {
  BadRequestException,
  Controller,
  Get,
  Headers,
  HttpStatus,
  Inject,
  type OnModuleDestroy,
  Query,
  Res,
  ServiceUnavailableException,
} from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { EventFeed, GetEventHistoryQuery, type StoredEvent } from '@cafe/ordering';
import {
  ClientAddressPipe,
  eventFrame,
  NodeRequest,
  RetryLater,
  ServerSentEvents,
  type ServerSentEventsOptions,
  takeOverResponse,
  toEventResponse,
} from '@cafe/http';
import { DEFAULT_EVENTS_PER_PAGE, EventHistoryQueryDto } from './dto/event-history-query.dto';
import { EventStreamQueryDto } from './dto/event-stream-query.dto';
import { ApiEvents, EventHistoryResponse } from './events.api-docs';
import { StreamReaders } from './stream-readers';

export const SERVER_SENT_EVENTS_OPTIONS = Symbol('ServerSentEventsOptions');

/** A reader's place frees up when another reader leaves: a browser retries about this often. */
const RETRY_AFTER_READERS_SECONDS = 10;

/** Each event's frame, made by the first reader that sends it and reused by every other. */
const frames = new WeakMap<StoredEvent, string>();

function frameOf(stored: StoredEvent): string {
  let frame = frames.get(stored);
  if (frame === undefined) {
    frame = eventFrame({
      id: stored.position,
      event: stored.event.type,
      data: toEventResponse(stored),
    });
    frames.set(stored, frame);
  }
  return frame;
}

/** The log itself: a page at a time, or live as Server-Sent Events. */
@Controller('events')
export class EventsController implements OnModuleDestroy {
  private readonly streams = new Set<ServerSentEvents>();
  /** Set once the app is closing: a stream opened after that would hold the server open. */
  private closing = false;

  constructor(
    private readonly queryBus: QueryBus,
    private readonly feed: EventFeed,
    @Inject(SERVER_SENT_EVENTS_OPTIONS) private readonly streamOptions: ServerSentEventsOptions,
    private readonly readers: StreamReaders,
  ) {}

  @Get()
  @ApiEvents.history()
  async history(@Query() query: EventHistoryQueryDto): Promise<EventHistoryResponse> {
    const from = query.from === undefined ? undefined : Date.parse(query.from);
    const to = query.to === undefined ? undefined : Date.parse(query.to);
    if (from !== undefined && to !== undefined && from > to) {
      throw new BadRequestException('from must not be later than to');
    }
    const limit = query.limit ?? DEFAULT_EVENTS_PER_PAGE;
    const page = await this.queryBus.execute(
      new GetEventHistoryQuery(query.after ?? 0, limit, from, to),
    );
    const next = new URLSearchParams({ after: String(page.nextAfter), limit: String(limit) });
    if (query.from !== undefined) next.set('from', query.from);
    if (query.to !== undefined) next.set('to', query.to);
    return {
      events: page.events.map(toEventResponse),
      next_after: page.nextAfter,
      next: page.more ? `/events?${next}` : null,
    };
  }

  /**
   * Every new event as `id: <position>`, `event: <type>`, `data: <event as JSON>`. A reconnecting
   * EventSource sends `Last-Event-ID` and is first replayed what it missed; `?after=0` replays
   * the whole log (the board builds its state that way). Readers are capped per address and in
   * all (503 with Retry-After beyond); one that does not read is dropped once its buffer is full.
   */
  @Get('stream')
  @ApiEvents.stream()
  stream(
    @Query() query: EventStreamQueryDto,
    @Headers('last-event-id') lastEventId: string | undefined,
    @NodeRequest(ClientAddressPipe) clientAddress: string,
    @Res() response: unknown,
  ): void {
    const after = lastEventId === undefined ? query.after : parseLastEventId(lastEventId);
    if (this.closing) throw new ServiceUnavailableException('the café is closing');
    if (!this.readers.tryOpen(clientAddress)) {
      const { total, perAddress } = this.readers.limits;
      throw new RetryLater(
        `the café serves at most ${total} event streams, ${perAddress} per address`,
        HttpStatus.SERVICE_UNAVAILABLE,
        RETRY_AFTER_READERS_SECONDS,
      );
    }
    const events = new ServerSentEvents(takeOverResponse(response), this.streamOptions);
    const stop = this.feed.follow(
      { send: (stored) => events.send(frameOf(stored)), drained: () => events.drained() },
      after,
    );
    this.streams.add(events);
    events.onClose(() => {
      stop();
      this.streams.delete(events);
      this.readers.close(clientAddress);
    });
  }

  /** Open streams never end by themselves: end them, or closing the server would wait for them. */
  onModuleDestroy(): void {
    this.closing = true;
    for (const events of this.streams) events.end();
  }
}

function parseLastEventId(value: string): number {
  const position = Number(value);
  if (!/^\d{1,15}$/.test(value.trim())) {
    throw new BadRequestException('Last-Event-ID must be an event position (a whole number)');
  }
  return position;
}
