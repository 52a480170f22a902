import {
  type ArgumentMetadata,
  Injectable,
  UnprocessableEntityException,
  ValidationPipe,
} from '@nestjs/common';

/**
 * Validates bodies, queries and path parameters against their DTOs: unknown keys, wrong types
 * and values are 422. class-transformer silently skips a key that names a member every object
 * inherits (`constructor`, `toString`...) and assigns `__proto__` as the prototype, so validation
 * never sees them as unknown: they are refused here first, whichever DTO it is.
 */
@Injectable()
export class StrictValidationPipe extends ValidationPipe {
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
    return super.transform(value, metadata);
  }
}
