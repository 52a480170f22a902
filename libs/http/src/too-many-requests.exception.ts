import { HttpException, HttpStatus } from '@nestjs/common';

/** A 429 that tells the client, in `Retry-After`, when asking again may succeed. */
export class TooManyRequests extends HttpException {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message, HttpStatus.TOO_MANY_REQUESTS);
  }
}
