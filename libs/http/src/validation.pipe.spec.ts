import {
  type ArgumentMetadata,
  UnprocessableEntityException,
  ValidationPipe,
} from '@nestjs/common';
import { IsIn, IsOptional, IsString } from 'class-validator';
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

  it('validates an input that is not empty in full, every time', async () => {
    const fullPass = jest.spyOn(ValidationPipe.prototype, 'transform');
    const validation = pipe();
    await validation.transform({}, body(OptionalDrink));
    expect(await validation.transform({ drink: 'americano' }, body(OptionalDrink))).toBeInstanceOf(
      OptionalDrink,
    );
    await expect(validation.transform({ drink: 'latte' }, body(OptionalDrink))).rejects.toThrow(
      UnprocessableEntityException,
    );
    await expect(validation.transform({ extra: 1 }, body(OptionalDrink))).rejects.toThrow(
      UnprocessableEntityException,
    );
    expect(fullPass).toHaveBeenCalledTimes(4);
  });
});
