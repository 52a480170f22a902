import { meanOf, parseRange, parseRangeList, SeededRandom } from './random';

describe('SeededRandom', () => {
  it('plays the same sequence for the same seed and another for another seed', () => {
    const draw = (seed: number) => {
      const random = new SeededRandom(seed);
      return Array.from({ length: 5 }, () => random.next());
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
  });

  it('stays in bounds and covers them roughly evenly', () => {
    const random = new SeededRandom(7);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) {
      const value = random.next();
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(1);
      const n = random.integer({ min: 2, max: 5 });
      counts[n - 2]++;
      const real = random.between({ min: 30, max: 60 });
      expect(real).toBeGreaterThanOrEqual(30);
      expect(real).toBeLessThanOrEqual(60);
    }
    for (const count of counts) expect(count).toBeGreaterThan(800);
  });

  it('picks from a list', () => {
    const random = new SeededRandom(1);
    const seen = new Set(Array.from({ length: 100 }, () => random.pick(['a', 'b', 'c'])));
    expect([...seen].sort()).toEqual(['a', 'b', 'c']);
  });
});

describe('ranges', () => {
  it('parses a single value, a range and a list', () => {
    expect(parseRange('45')).toEqual({ min: 45, max: 45 });
    expect(parseRange(' 30 - 60 ')).toEqual({ min: 30, max: 60 });
    expect(parseRange('0.5-1.5')).toEqual({ min: 0.5, max: 1.5 });
    expect(parseRangeList('1,2-5,100-200')).toEqual([
      { min: 1, max: 1 },
      { min: 2, max: 5 },
      { min: 100, max: 200 },
    ]);
    expect(meanOf({ min: 30, max: 60 })).toBe(45);
  });

  it.each(['', 'abc', '-5', '60-30', '1-2-3', '1,,2'])('refuses %j', (text) => {
    expect(() => parseRangeList(text)).toThrow();
  });
});
