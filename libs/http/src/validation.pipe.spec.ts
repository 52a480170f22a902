import {
  type ArgumentMetadata,
  UnprocessableEntityException,
  ValidationPipe,
} from '@nestjs/common';
import { Transform } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { StrictValidationPipe } from './validation.pipe';

class OptionalDrink {
  @IsOptional()
  @IsIn(['americano'])
  drink = 'americano';
}

class RequiredId {
  @IsString()
  order_id!: string;
}

const body = (metatype: ArgumentMetadata['metatype']): ArgumentMetadata => ({
  type: 'body',
  metatype,
});

describe('StrictValidationPipe on empty input', () => {
  const pipe = () => new StrictValidationPipe();

  afterEach(() => jest.restoreAllMocks());

  it.each([undefined, null, {}, Object.create(null)])(
    'gives %p a new instance with the defaults, after one full pass per class',
    async (empty) => {
      const fullPass = jest.spyOn(ValidationPipe.prototype, 'transform');
      const validation = pipe();
      const first = await validation.transform(empty, body(OptionalDrink));
      const second = await validation.transform(empty, body(OptionalDrink));
      expect(first).toBeInstanceOf(OptionalDrink);
      expect(second).toEqual({ drink: 'americano' });
      expect(second).not.toBe(first);
      expect(fullPass).toHaveBeenCalledTimes(1);
    },
  );

  it('refuses an empty input every time when the class requires a field', async () => {
    const validation = pipe();
    for (let i = 0; i < 2; i++) {
      await expect(validation.transform(undefined, body(RequiredId))).rejects.toThrow(
        UnprocessableEntityException,
      );
    }
  });

  it('refuses an input that is not empty and fails, through the full pass, every time', async () => {
    const fullPass = jest.spyOn(ValidationPipe.prototype, 'transform');
    const validation = pipe();
    for (let i = 0; i < 2; i++) {
      await expect(validation.transform({ drink: 'latte' }, body(OptionalDrink))).rejects.toThrow(
        UnprocessableEntityException,
      );
      await expect(validation.transform({ extra: 1 }, body(OptionalDrink))).rejects.toThrow(
        UnprocessableEntityException,
      );
    }
    expect(fullPass).toHaveBeenCalledTimes(4);
  });
});

class Transformed {
  @Transform(({ value }) => String(value).toUpperCase())
  @IsString()
  name!: string;
}

class Nested {
  @ValidateNested()
  @IsOptional()
  inner?: RequiredId;
}

class Conditional {
  @ValidateIf((_, drink) => drink !== undefined)
  @IsIn(['americano'])
  drink = 'americano';

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(60)
  wait?: number;

  @IsOptional()
  @IsString()
  @MaxLength(8)
  order_id?: string;
}

describe('StrictValidationPipe on a flat DTO', () => {
  const plain = new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    errorHttpStatusCode: 422,
  });
  const verdict = (pending: Promise<unknown>) =>
    pending.then(
      (value) => ({ passed: value }),
      (error: UnprocessableEntityException) => ({ refused: error.getResponse() }),
    );

  afterEach(() => jest.restoreAllMocks());

  it.each([
    { drink: 'americano' },
    { drink: 'latte' },
    { drink: null },
    { wait: 5 },
    { wait: 0 },
    { wait: 61 },
    { wait: '5' },
    { wait: 2.5 },
    { order_id: 'abc' },
    { order_id: 'abcdefghi' },
    { order_id: 7 },
    { order_id: ['a', 'b'] },
    { order_id: { length: 1 } },
    { drink: 'americano', wait: 1, order_id: 'x' },
    { extra: 'x' },
    { drink: 'americano', extra: 'x' },
  ])("gives %p the full pass's verdict", async (input) => {
    const expected = await verdict(plain.transform(input, body(Conditional)));
    const given = await verdict(new StrictValidationPipe().transform(input, body(Conditional)));
    expect(given).toEqual(expected);
    if ('passed' in given) expect(given.passed).toBeInstanceOf(Conditional);
  });

  it('skips the full pass for an input that passes', async () => {
    const fullPass = jest.spyOn(ValidationPipe.prototype, 'transform');
    const validation = new StrictValidationPipe();
    await validation.transform({ drink: 'americano', order_id: 'x' }, body(Conditional));
    await validation.transform({ order_id: 'y' }, body(Conditional));
    expect(fullPass).not.toHaveBeenCalled();
  });

  it.each([
    ['transforms', Transformed, { name: 'ann' }],
    ['validates nested objects', Nested, { inner: { order_id: 'x' } }],
  ])('leaves a DTO that %s to the full pass', async (_, metatype, input) => {
    const fullPass = jest.spyOn(ValidationPipe.prototype, 'transform');
    const expected = await verdict(plain.transform(input, body(metatype)));
    expect(await verdict(new StrictValidationPipe().transform(input, body(metatype)))).toEqual(
      expected,
    );
    expect(fullPass).toHaveBeenCalledTimes(2);
  });
});
