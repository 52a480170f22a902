import {
  type ArgumentMetadata,
  Injectable,
  type Type,
  UnprocessableEntityException,
  ValidationPipe,
} from '@nestjs/common';
import { FlatDto } from './flat-dto';

/** No body (or JSON `null`), or an empty object: no query string, an empty JSON object. */
function isEmptyInput(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value !== 'object') return false;
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return false;
  for (const _ in value) return false;
  return true;
}

/**
 * Validates bodies, queries and path parameters against their DTOs: unknown keys, wrong types
 * and values are 422. class-transformer silently skips a key that names a member every object
 * inherits (`constructor`, `toString`...) and assigns `__proto__` as the prototype, so validation
 * never sees them as unknown: they are refused here first, whichever DTO it is.
 *
 * A DTO that arrives empty always comes out the same, so for empty input the full pass
 * (class-transformer's plainToInstance, then class-validator) runs once per DTO class and its
 * verdict is kept; after that an empty input that passed costs a `new` of the class, which
 * gives its defaults as plainToInstance would. Much of the hot path arrives empty: the
 * reference client's POST /order/ has no body, POST /finish/?order_id=… neither, GET
 * /orders/{id} no query string. An empty input that fails takes the full pass each time.
 *
 * A flat DTO (`FlatDto`: string and number checks, no transforms) that is not empty is judged
 * by its decorators' constraint functions alone when it passes: POST /finish/?order_id=…,
 * GET /orders/{id}'s path, an order body naming its drink. Whatever fails takes the full pass,
 * which words the 422.
 */
@Injectable()
export class StrictValidationPipe extends ValidationPipe {
  private readonly emptyPasses = new Map<Type, boolean>();
  private readonly flatDtos = new Map<Type, FlatDto | undefined>();

  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      errorHttpStatusCode: 422,
    });
  }

  override transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type !== 'custom' && typeof value === 'object' && value !== null) {
      const inherited = Object.keys(value).filter((key) => key in Object.prototype);
      if (inherited.length > 0) {
        throw new UnprocessableEntityException(
          inherited.map((key) => `property ${key} should not exist`),
        );
      }
    }
    const metatype = metadata.metatype;
    if (!metatype || !this.toValidate(metadata)) return super.transform(value, metadata);
    if (isEmptyInput(value)) return this.transformEmpty(value, metatype, metadata);
    const passed = this.flatDtoOf(metatype)?.instanceIfValid(value);
    return passed ? Promise.resolve(passed) : super.transform(value, metadata);
  }

  private flatDtoOf(metatype: Type): FlatDto | undefined {
    if (!this.flatDtos.has(metatype)) this.flatDtos.set(metatype, FlatDto.of(metatype));
    return this.flatDtos.get(metatype);
  }

  private async transformEmpty(
    value: unknown,
    metatype: Type,
    metadata: ArgumentMetadata,
  ): Promise<unknown> {
    let passes = this.emptyPasses.get(metatype);
    if (passes === undefined) {
      passes = await super.transform(value, metadata).then(
        () => true,
        () => false,
      );
      this.emptyPasses.set(metatype, passes);
    }
    return passes ? new metatype() : super.transform(value, metadata);
  }
}
