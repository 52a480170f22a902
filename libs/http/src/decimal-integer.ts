import { Transform } from 'class-transformer';

/**
 * Reads a query value as a number only when it is written in decimal digits (`-` allowed, for
 * `@Min` to refuse): `@Type(() => Number)` would also take `0x10`, `1e1`, ` 5` and an empty
 * value (as 0). Anything else stays as sent, for `@IsInt()` to refuse with 422.
 */
export const DecimalInteger = () =>
  Transform(({ value }) =>
    typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value,
  );
