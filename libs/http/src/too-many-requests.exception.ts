import { HttpException, HttpStatus } from '@nestjs/common';

/** A refusal that tells the client, in `Retry-After`, when asking again may succeed. */
export class RetryLater extends HttpException {
  constructor(
    message: string,
    status: HttpStatus.TOO_MANY_REQUESTS | HttpStatus.SERVICE_UNAVAILABLE,
    readonly retryAfterSeconds: number,
  ) {
    super(message, status);
  }
}

/** A 429: this client asked for too much. */
export class TooManyRequests extends RetryLater {
  constructor(message: string, retryAfterSeconds: number) {
    super(message, HttpStatus.TOO_MANY_REQUESTS, retryAfterSeconds);
  }
}
