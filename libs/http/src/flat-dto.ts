import type { Type } from '@nestjs/common';
import { TransformationType } from 'class-transformer';
import type { MetadataStorage as TransformMetadataStorage } from 'class-transformer/types/MetadataStorage';
import { getMetadataStorage, type ValidationArguments, ValidationTypes } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';

// class-transformer keeps its decorators' metadata in a module it does not export by name.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { defaultMetadataStorage } = require('class-transformer/cjs/storage') as {
  defaultMetadataStorage: TransformMetadataStorage;
};

/** One declared property of a flat DTO: when its checks apply (`@IsOptional`, `@ValidateIf`) and the checks. */
interface FlatProperty {
  readonly name: string;
  readonly conditions: readonly ValidationMetadata[];
  readonly checks: readonly {
    readonly metadata: ValidationMetadata;
    validate(value: unknown, args: ValidationArguments): unknown;
  }[];
}

/**
 * A DTO whose every property is checked by synchronous class-validator constraints (plus
 * `@IsOptional`/`@ValidateIf`) and that class-transformer only copies: no `@Transform`,
 * `@Type`, `@Expose`/`@Exclude`, nested or `each` validation. For a flat object of primitive
 * values, the decorators' own constraint functions then give the verdict that the full pass
 * (plainToInstance, then class-validator's executor, which builds an error tree even when
 * everything passes) would give, for a fraction of its cost. The declaration stays the
 * decorators (and the API documents read them); only a pass is decided here: whatever does
 * not pass, or does not fit, goes through the full pass for its messages.
 */
export class FlatDto {
  private constructor(
    private readonly metatype: Type,
    private readonly properties: readonly FlatProperty[],
  ) {}

  /** Undefined when the class is not flat: its inputs always take the full pass. */
  static of(metatype: Type): FlatDto | undefined {
    const storage = getMetadataStorage();
    // The arguments Nest's ValidationPipe validates with: no groups, `always` off.
    const metadatas = storage.getTargetValidationMetadatas(metatype, '', false, false, undefined);
    const byName = new Map<string, ValidationMetadata[]>();
    for (const metadata of metadatas) {
      const conditional = metadata.type === ValidationTypes.CONDITIONAL_VALIDATION;
      if (!conditional && (metadata.type !== ValidationTypes.CUSTOM_VALIDATION || metadata.each)) {
        return undefined;
      }
      byName.set(metadata.propertyName, [...(byName.get(metadata.propertyName) ?? []), metadata]);
    }
    if (byName.size === 0 || !onlyCopies(metatype, [...byName.keys()])) return undefined;
    const properties: FlatProperty[] = [];
    for (const [name, declared] of byName) {
      const checks: FlatProperty['checks'][number][] = [];
      for (const metadata of declared) {
        if (metadata.type !== ValidationTypes.CUSTOM_VALIDATION) continue;
        for (const constraint of storage.getTargetValidatorConstraints(metadata.constraintCls)) {
          if (constraint.async) return undefined;
          checks.push({
            metadata,
            validate: (value, args) => constraint.instance.validate(value, args),
          });
        }
      }
      const conditions = declared.filter((m) => m.type === ValidationTypes.CONDITIONAL_VALIDATION);
      properties.push({ name, conditions, checks });
    }
    return new FlatDto(metatype, properties);
  }

  /** The instance the full pass would give, when `value` passes every check; else undefined. */
  instanceIfValid(value: unknown): object | undefined {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    for (const key in value) {
      if (!this.properties.some(({ name }) => name === key)) return undefined;
      const field = (value as Record<string, unknown>)[key];
      if (field !== null && typeof field === 'object') return undefined;
    }
    const instance = Object.assign(new this.metatype(), value) as Record<string, unknown>;
    for (const { name, conditions, checks } of this.properties) {
      const field = instance[name];
      if (!conditions.every((condition) => condition.constraints[0](instance, field))) continue;
      for (const { metadata, validate } of checks) {
        const args: ValidationArguments = {
          targetName: this.metatype.name,
          property: name,
          object: instance,
          value: field,
          constraints: metadata.constraints,
        };
        if (validate(field, args) !== true) return undefined;
      }
    }
    return instance;
  }
}

/** class-transformer would only copy these properties: it has no metadata on them or the class. */
function onlyCopies(metatype: Type, names: readonly string[]): boolean {
  const storage = defaultMetadataStorage;
  if (storage.getExposedMetadatas(metatype).length > 0) return false;
  if (storage.getExcludedMetadatas(metatype).length > 0) return false;
  return names.every(
    (name) =>
      storage.findTransformMetadatas(metatype, name, TransformationType.PLAIN_TO_CLASS).length ===
        0 && storage.findTypeMetadata(metatype, name) === undefined,
  );
}
