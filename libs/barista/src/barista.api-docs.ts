import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { ApiErrorResponse, OrderResponse } from '@cafe/http';
import { FinishOrderDto } from './dto/finish-order.dto';
import { QueueResponse } from './dto/queue-response.dto';
import { ApiStaffOnly } from './staff/api-staff-only';

/** The API documents of the barista routes: every answer each can give. */
export const ApiBarista = {
  start: () =>
    applyDecorators(
      ApiStaffOnly(),
      ApiOperation({ summary: 'Take the oldest queued order and start brewing it' }),
      ApiOkResponse({ description: 'The order, now brewing', type: OrderResponse }),
      ApiErrorResponse(404, 'Nothing is queued: the reference barista client waits a second'),
    ),
  finish: () =>
    applyDecorators(
      ApiStaffOnly(),
      ApiOperation({
        summary: 'Declare an order ready, which answers its waiting customer',
        description: '`order_id` in the query string or in a JSON body `{"order_id": "..."}`.',
      }),
      ApiBody({ type: FinishOrderDto, required: false }),
      ApiOkResponse({ description: 'The order, now ready', type: OrderResponse }),
      ApiErrorResponse(400, 'No order_id, or malformed JSON'),
      ApiErrorResponse(404, 'No order has this id'),
      ApiErrorResponse(409, 'The order is not brewing (queued, ready or cancelled)'),
      ApiErrorResponse(413, 'The body is over 16 KB (the rest is not read: the connection closes)'),
      ApiErrorResponse(415, 'A body that is not application/json in UTF-8'),
      ApiErrorResponse(
        422,
        'A body that is not a JSON object, order_id is not a string of at most 128 characters, or an unknown field',
      ),
    ),
  queue: () =>
    applyDecorators(
      ApiStaffOnly(),
      ApiOperation({ summary: 'How many orders are queued and brewing, and the oldest wait' }),
      ApiOkResponse({ description: 'The queue right now', type: QueueResponse }),
    ),
};
