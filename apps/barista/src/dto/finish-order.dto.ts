import { IsOptional, IsString, MaxLength } from 'class-validator';

/** `order_id` may come in the query string or in a JSON body; both use this shape. */
export class FinishOrderDto {
  @IsOptional()
  @IsString()
  @MaxLength(128)
  order_id?: string;
}
