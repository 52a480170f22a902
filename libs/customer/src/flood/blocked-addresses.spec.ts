import { BlockedAddresses } from './blocked-addresses';

describe('blocked addresses', () => {
  it('tells the blocking throttler and the whole seconds left, until the block expires', () => {
    const blocked = new BlockedAddresses();
    blocked.block('10.0.0.1', 'burst', 900, 1_000);
    expect(blocked.find('10.0.0.1', 1_000)).toEqual({ throttler: 'burst', secondsLeft: 900 });
    expect(blocked.find('10.0.0.1', 1_000 + 899_500)).toEqual({
      throttler: 'burst',
      secondsLeft: 1,
    });
    expect(blocked.find('10.0.0.1', 1_000 + 900_000)).toBeUndefined();
    expect(blocked.find('10.0.0.2', 1_000)).toBeUndefined();
  });

  it('forgets expired blocks of addresses that never came back once it holds many', () => {
    const blocked = new BlockedAddresses();
    for (let i = 0; i <= 10_000; i++) blocked.block(`10.0.${i >> 8}.${i & 255}`, 'burst', 1, 0);
    blocked.block('10.9.9.9', 'sustained', 60, 2_000);
    const size = (blocked as unknown as { blocks: Map<string, unknown> }).blocks.size;
    expect(size).toBe(1);
    expect(blocked.find('10.9.9.9', 2_000)).toEqual({ throttler: 'sustained', secondsLeft: 60 });
  });
});
