import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import { ApiErrorResponse } from '@cafe/http';

/** Documents a route (or a controller's routes) that needs a barista's token when tokens are set. */
export const ApiStaffOnly = () =>
  applyDecorators(
    ApiBearerAuth(),
    ApiErrorResponse(
      401,
      'BARISTA_TOKENS is set and the request has no valid Authorization: Bearer <token>',
    ),
  );
