import { ManualClock } from '../../../../test/support/manual-clock';
import { BlockedAddresses } from './blocked-addresses';

describe('blocked addresses', () => {
  it('tells the blocking throttler and the whole seconds left, until the block expires', async () => {
    const clock = new ManualClock(1_000);
    const blocked = new BlockedAddresses(clock);
    blocked.block('10.0.0.1', 'burst', 900);
    expect(blocked.find('10.0.0.1')).toEqual({ throttler: 'burst', secondsLeft: 900 });
    await clock.advance(899_500);
    expect(blocked.find('10.0.0.1')).toEqual({ throttler: 'burst', secondsLeft: 1 });
    await clock.advance(500);
    expect(blocked.find('10.0.0.1')).toBeUndefined();
    expect(blocked.find('10.0.0.2')).toBeUndefined();
  });

  it('forgets expired blocks of addresses that never came back once it holds many', async () => {
    const clock = new ManualClock(0);
    const blocked = new BlockedAddresses(clock);
    for (let i = 0; i <= 10_000; i++) blocked.block(`10.0.${i >> 8}.${i & 255}`, 'burst', 1);
    await clock.advance(2_000);
    blocked.block('10.9.9.9', 'sustained', 60);
    const size = (blocked as unknown as { blocks: Map<string, unknown> }).blocks.size;
    expect(size).toBe(1);
    expect(blocked.find('10.9.9.9')).toEqual({ throttler: 'sustained', secondsLeft: 60 });
  });
});
