import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { baristaOf } from './staff-token.guard';

/** The name of the barista whose token the request carried; undefined when the app is open. */
export const BaristaName = createParamDecorator((_: unknown, context: ExecutionContext) =>
  baristaOf(context.switchToHttp().getRequest<object>()),
);
