import { isLoopbackHost, MAX_SOURCE_ADDRESSES, sourceAddress } from './source-addresses';

describe('source addresses', () => {
  it('gives each index its own loopback address, never .0 or .255, outside 127.0.0.x', () => {
    expect(sourceAddress(0)).toBe('127.0.1.1');
    expect(sourceAddress(249)).toBe('127.0.1.250');
    expect(sourceAddress(250)).toBe('127.0.2.1');
    const all = new Set(Array.from({ length: 10_000 }, (_, i) => sourceAddress(i)));
    expect(all.size).toBe(10_000);
    for (const address of all) expect(address).toMatch(/^127\.0\.([1-9]\d*)\.([1-9]\d*)$/);
    expect(sourceAddress(MAX_SOURCE_ADDRESSES)).toBe(sourceAddress(0));
  });

  it('knows loopback hosts', () => {
    for (const host of ['127.0.0.1', '127.5.6.7', 'localhost', '[::1]']) {
      expect(isLoopbackHost(host)).toBe(true);
    }
    for (const host of ['10.0.0.1', 'example.com', '128.0.0.1']) {
      expect(isLoopbackHost(host)).toBe(false);
    }
  });
});
