import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, ValidateIf } from 'class-validator';
import { DEFAULT_DRINK, type Drink, DRINKS } from '@cafe/ordering';

/** The body of POST /order/ is optional; when given, it may only name the one drink. */
export class PlaceOrderDto {
  @ApiPropertyOptional({ enum: DRINKS, default: DEFAULT_DRINK })
  // Not @IsOptional(): it would let `"drink": null` through, to be placed as a drink of null.
  @ValidateIf((_, drink) => drink !== undefined)
  @IsIn(DRINKS, { message: `drink must be one of: ${DRINKS.join(', ')}` })
  drink: Drink = DEFAULT_DRINK;
}

/** POST /order/ takes no query parameters: `?drink=latte` is refused (422), not brewed as an americano. */
export class PlaceOrderQueryDto {}
