import { applyDecorators } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiQuery,
} from '@nestjs/swagger';
import { MAX_WAIT_SECONDS } from './dto/get-order.dto';
import { ApiErrorResponse, OrderResponse, OrderStatusResponse } from '@cafe/http';
import { PlaceOrderDto } from './dto/place-order.dto';

/** The API documents of the customer routes: every answer each can give. */
export const ApiOrder = {
  /** POST /order/: every answer it can give and the headers it reads. */
  place: () =>
    applyDecorators(
      ApiOperation({
        summary: 'Order an americano and wait until it is ready',
        description:
          'The request is held open, with no time limit, until a barista finishes the order; ' +
          'then it answers 200 with the ready order. `/order` and `/order/` are the same route. ' +
          'A customer who hangs up before a barista started the order cancels it.',
      }),
      ApiBody({ type: PlaceOrderDto, required: false }),
      ApiHeader({
        name: 'Idempotency-Key',
        required: false,
        description:
          'Chosen by the client, unique per order. Retrying with the same key (after a dropped ' +
          'connection, or a restart of the service) answers for the order already placed ' +
          'instead of placing a second one.',
        schema: { type: 'string', maxLength: 200, example: '6f1c0c4e-5b7a-4f0e-9d55-1f6a1f0f2a11' },
      }),
      ApiHeader({
        name: 'Prefer',
        required: false,
        description:
          '`respond-async`: answer 202 as soon as the order is placed (with `Location: ' +
          '/orders/{id}` to poll) instead of holding the request open until it is ready.',
        schema: { type: 'string', enum: ['respond-async'] },
      }),
      ApiOkResponse({ description: 'The order is ready', type: OrderResponse }),
      ApiAcceptedResponse({
        description: 'With `Prefer: respond-async`: the order is placed and queued',
        type: OrderStatusResponse,
      }),
      ApiErrorResponse(
        400,
        'Malformed JSON, or an Idempotency-Key that is not 1 to 200 visible ASCII characters',
      ),
      ApiErrorResponse(409, 'The order of this Idempotency-Key was cancelled'),
      ApiErrorResponse(413, 'The body is over 16 KB (the rest is not read: the connection closes)'),
      ApiErrorResponse(415, 'A body that is not application/json in UTF-8'),
      ApiErrorResponse(
        422,
        'A body that is not a JSON object, another drink than americano, an unknown field, or an Idempotency-Key reused with another body',
      ),
      ApiErrorResponse(429, 'Too many orders from this address: the flood defence', {
        retryAfter: true,
      }),
      ApiErrorResponse(503, 'The café is closing', { retryAfter: true }),
    ),
  /** GET /orders/{id}: polling for an order placed with `Prefer: respond-async`. */
  get: () =>
    applyDecorators(
      ApiOperation({
        summary: "An order's status, and its place in the queue while queued",
        description: `With \`?wait=S\` (at most ${MAX_WAIT_SECONDS}) the answer is held until the order is ready or S seconds passed.`,
      }),
      ApiParam({
        name: 'id',
        description: 'The order_id',
        schema: { type: 'string', maxLength: 128 },
      }),
      ApiQuery({
        name: 'wait',
        required: false,
        schema: { type: 'integer', minimum: 0, maximum: MAX_WAIT_SECONDS },
      }),
      ApiOkResponse({ description: 'The order as it is now', type: OrderStatusResponse }),
      ApiErrorResponse(404, 'No order has this id'),
      ApiErrorResponse(422, '`wait` is not a whole number from 0 to 60, or the id is too long'),
      ApiErrorResponse(
        429,
        'Too many lookups of orders that do not exist from this address: orders the café holds in memory are still answered',
        { retryAfter: true },
      ),
    ),
};
