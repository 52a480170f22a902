import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsISO8601, IsOptional, Max, Min } from 'class-validator';
import { DecimalInteger } from '@cafe/http';
import { EventStreamQueryDto } from './event-stream-query.dto';

export const MAX_EVENTS_PER_PAGE = 1000;
export const DEFAULT_EVENTS_PER_PAGE = 100;

/** A page of the log: `after` a position, at or after `from`, before `to`. */
export class EventHistoryQueryDto extends EventStreamQueryDto {
  @ApiPropertyOptional({ format: 'date-time', description: 'Events at or after this time' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Events before this time' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: MAX_EVENTS_PER_PAGE,
    default: DEFAULT_EVENTS_PER_PAGE,
  })
  @IsOptional()
  @DecimalInteger()
  @IsInt()
  @Min(1)
  @Max(MAX_EVENTS_PER_PAGE)
  limit?: number;
}
