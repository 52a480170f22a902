import { HttpStatus } from '@nestjs/common';
import type { ErrorAnswer } from '@cafe/http';
import { OrderWasCancelled } from '@cafe/ordering';

/**
 * A customer whose waiting order was cancelled because its address was blocked as a flood hears
 * 429, and comes back when the block (`blockSeconds`, THROTTLE_BLOCK_SECONDS) has run out.
 */
export function floodCutOffAnswer(blockSeconds: number): ErrorAnswer {
  return {
    matches: (error) => error instanceof OrderWasCancelled && error.reason === 'flood',
    status: HttpStatus.TOO_MANY_REQUESTS,
    retryAfterSeconds: blockSeconds,
  };
}
