import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';

/** `order_id` may come in the query string or in a JSON body; both use this shape. */
export class FinishOrderDto {
  @ApiPropertyOptional({ maxLength: 128, example: '0b6f2d4e-8a43-4c1b-9a57-2f1d0c6e9b21' })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  order_id?: string;
}
