/** A number between `min` and `max` inclusive: brewing seconds, group sizes, gaps. */
export interface Range {
  readonly min: number;
  readonly max: number;
}

/**
 * A small seeded PRNG (mulberry32): the same seed plays the same story, which Math.random cannot
 * promise. Not for anything secret.
 */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform real in [min, max]. */
  between({ min, max }: Range): number {
    return min + (max - min) * this.next();
  }

  /** Uniform integer in [min, max]. */
  integer({ min, max }: Range): number {
    return Math.floor(min + (max - min + 1) * this.next());
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
}

/** Parses "30-60" or "45" (a range of one value); both ends must be numbers ≥ 0, min ≤ max. */
export function parseRange(text: string): Range {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(?:-\s*(\d+(?:\.\d+)?)\s*)?$/.exec(text);
  if (!match) throw new Error(`"${text}" is not a number or a range like 30-60`);
  const min = Number(match[1]);
  const max = match[2] === undefined ? min : Number(match[2]);
  if (min > max) throw new Error(`"${text}": the first number must not exceed the second`);
  return { min, max };
}

/** Parses a comma-separated list of ranges, e.g. "1,1,2-5,100-200". */
export function parseRangeList(text: string): Range[] {
  return text.split(',').map(parseRange);
}

export function meanOf({ min, max }: Range): number {
  return (min + max) / 2;
}
