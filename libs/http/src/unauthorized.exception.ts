import { HttpException, HttpStatus } from '@nestjs/common';

/**
 * 401: the request needs a credential it did not bring, or brought a wrong one. `challenge` is
 * the WWW-Authenticate value (RFC 6750), which the exception filter sends with the answer.
 */
export class Unauthorized extends HttpException {
  constructor(
    message: string,
    readonly challenge: string,
  ) {
    super(message, HttpStatus.UNAUTHORIZED);
  }
}
