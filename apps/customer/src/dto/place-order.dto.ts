import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { DEFAULT_DRINK, type Drink, DRINKS } from '@cafe/ordering';

/** The body of POST /order/ is optional; when given, it may only name the one drink. */
export class PlaceOrderDto {
  @ApiPropertyOptional({ enum: DRINKS, default: DEFAULT_DRINK })
  @IsOptional()
  @IsIn(DRINKS, { message: `drink must be one of: ${DRINKS.join(', ')}` })
  drink: Drink = DEFAULT_DRINK;
}
