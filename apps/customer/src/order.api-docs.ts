import { applyDecorators } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
} from '@nestjs/swagger';
import { ApiErrorResponse, OrderResponse } from '@cafe/http';
import { PlaceOrderDto } from './dto/place-order.dto';

/** The API document of POST /order/: every answer it can give and the headers it reads. */
export function ApiPlaceOrder(): MethodDecorator {
  return applyDecorators(
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
        'connection) answers for the order already placed instead of placing a second one.',
      schema: { type: 'string', maxLength: 128, example: '6f1c0c4e-5b7a-4f0e-9d55-1f6a1f0f2a11' },
    }),
    ApiHeader({
      name: 'Prefer',
      required: false,
      description:
        '`respond-async`: answer 202 as soon as the order is placed instead of holding the ' +
        'request open until it is ready.',
      schema: { type: 'string', enum: ['respond-async'] },
    }),
    ApiOkResponse({ description: 'The order is ready', type: OrderResponse }),
    ApiAcceptedResponse({
      description: 'With `Prefer: respond-async`: the order is placed and queued',
      type: OrderResponse,
    }),
    ApiErrorResponse(400, 'Malformed JSON'),
    ApiErrorResponse(
      409,
      'The order was cancelled (its address was cut off as a flood), or the Idempotency-Key was used for another order',
    ),
    ApiErrorResponse(413, 'The body is over 16 KB'),
    ApiErrorResponse(422, 'Another drink than americano, or an unknown field'),
    ApiErrorResponse(429, 'Too many orders from this address: the flood defence', {
      retryAfter: true,
    }),
    ApiErrorResponse(503, 'The café is closing', { retryAfter: true }),
  );
}
