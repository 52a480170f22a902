import { distributionOf, percentile } from './stats';

describe('percentiles', () => {
  it('uses the nearest rank', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 95)).toBe(95);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile(sorted, 100)).toBe(100);
    expect(percentile([7], 50)).toBe(7);
    expect(percentile([1, 2, 3], 1)).toBe(1);
    expect(percentile([], 50)).toBeNull();
  });

  it('summarises unsorted samples without changing them', () => {
    const samples = [5, 1, 4, 2, 3];
    expect(distributionOf(samples)).toEqual({ count: 5, p50: 3, p95: 5, p99: 5, max: 5 });
    expect(samples).toEqual([5, 1, 4, 2, 3]);
    expect(distributionOf([])).toEqual({ count: 0, p50: null, p95: null, p99: null, max: null });
  });
});
