import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { DecimalInteger } from '@cafe/http';

/** Where to resume: events after this position. */
export class EventStreamQueryDto {
  @ApiPropertyOptional({ minimum: 0, example: 118, description: 'Events after this position' })
  @IsOptional()
  @DecimalInteger()
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  after?: number;
}
