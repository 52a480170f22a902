import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { DecimalInteger } from '@cafe/http';

/** The longest wait a poll may ask for: shorter than common proxy idle timeouts. */
export const MAX_WAIT_SECONDS = 60;

export class OrderIdParams {
  @IsString()
  @MaxLength(128)
  id!: string;
}

export class GetOrderQueryDto {
  /** Hold the answer until the order is ready, for at most this many seconds. */
  @IsOptional()
  @DecimalInteger()
  @IsInt({ message: 'wait must be a whole number of seconds' })
  @Min(0)
  @Max(MAX_WAIT_SECONDS)
  wait = 0;
}
