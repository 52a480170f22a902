import { openFileLimitIn, openFileShortfall } from './open-files';

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max processes             96365                96365                processes
Max open files            20000                65536                files
Max locked memory         8388608              8388608              bytes
`;

describe('the open-file limit', () => {
  it('is the soft limit of /proc/self/limits', () => {
    expect(openFileLimitIn(LIMITS)).toBe(20000);
  });

  it('is undefined when unlimited or not listed', () => {
    expect(openFileLimitIn(LIMITS.replace('20000', 'unlimited'))).toBeUndefined();
    expect(openFileLimitIn('Limit Soft Limit\n')).toBeUndefined();
  });

  it('says what to raise, and to how much, only when the connections do not fit', () => {
    expect(openFileShortfall(19_000, 20_000)).toBeUndefined();
    expect(openFileShortfall(50_000, undefined)).toBeUndefined();
    const advice = openFileShortfall(50_000, 20_000);
    expect(advice).toContain('this shell allows 20000');
    expect(advice).toContain('`ulimit -n 50200`');
  });
});
