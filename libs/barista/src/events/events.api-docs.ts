import { applyDecorators } from '@nestjs/common';
import {
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiProperty,
  ApiPropertyOptional,
} from '@nestjs/swagger';
import { ApiErrorResponse, EventResponse } from '@cafe/http';
import { ApiStaffOnly } from '../staff/api-staff-only';

export class EventHistoryResponse {
  @ApiProperty({ type: [EventResponse] })
  events!: EventResponse[];
  @ApiProperty({
    example: 218,
    description: 'Pass as `after` to read on; also where a poller continues once new events arrive',
  })
  next_after!: number;
  @ApiPropertyOptional({
    type: 'string',
    nullable: true,
    example: '/events?after=218&limit=100',
    description: 'The next page while more events match; null at the end',
  })
  next!: string | null;
}

/** The API documents of the event log routes. */
export const ApiEvents = {
  history: () =>
    applyDecorators(
      ApiStaffOnly(),
      ApiOperation({
        summary: 'The event log, oldest first, a page at a time',
        description: '`from` is inclusive, `to` exclusive, `after` a position; `limit` 1 to 1000.',
      }),
      ApiOkResponse({ description: 'A page of events and the cursor', type: EventHistoryResponse }),
      ApiErrorResponse(400, '`from` is later than `to`'),
      ApiErrorResponse(422, 'A parameter is malformed or out of range, or unknown'),
    ),
  stream: () =>
    applyDecorators(
      ApiStaffOnly(),
      ApiOperation({
        summary: 'Every new event as Server-Sent Events',
        description:
          '`id: <position>`, `event: <type>`, `data: <event as /events shows it>`; a comment every 15 s. A reader more than 256 KB behind is disconnected and resumes with `Last-Event-ID`. Readers are capped in all and per address (EVENT_STREAM_READERS, EVENT_STREAM_READERS_PER_ADDRESS).',
      }),
      ApiHeader({
        name: 'Last-Event-ID',
        required: false,
        description: 'Resume after this position (wins over `?after=`)',
      }),
      ApiProduces('text/event-stream'),
      ApiOkResponse({ description: 'The stream; it stays open' }),
      ApiErrorResponse(400, '`Last-Event-ID` is not a position'),
      ApiErrorResponse(422, '`after` is not a position, or an unknown parameter'),
      ApiErrorResponse(503, 'As many streams are open as the café or the address may hold', {
        retryAfter: true,
      }),
    ),
};
