import { TooManyRequests } from '@cafe/http';
import { type CafeMetrics, OrderNotFound, ServiceClosing } from '@cafe/ordering';
import { ManualClock } from '../../../../test/support/manual-clock';
import { LOOKUP_MISSES, LOOKUP_MISSES_MESSAGE, LookupMisses } from './lookup-misses';

const SCANNER = '127.0.0.7';
const REGULAR = '127.0.0.8';
const PER_MINUTE = 3;

describe('the limit on lookups of unknown orders', () => {
  let clock: ManualClock;
  let refusals: string[];
  let misses: LookupMisses;
  let logReads: number;

  beforeEach(() => {
    clock = new ManualClock(1_000_000);
    refusals = [];
    const metrics = { countThrottled: (name: string) => refusals.push(name) };
    misses = new LookupMisses(PER_MINUTE, 100, clock, metrics as unknown as CafeMetrics, null);
    logReads = 0;
  });

  afterEach(() => misses.onApplicationShutdown());

  /** One lookup from `address` of an id the log does not hold: its answer, as the client hears it. */
  const lookUpUnknown = (address: string) =>
    misses
      .unlessRefused(address, async () => {
        logReads++;
        throw new OrderNotFound('nope');
      })
      .then(
        () => 'found',
        (error: Error) =>
          error instanceof TooManyRequests ? `429 Retry-After ${error.retryAfterSeconds}` : '404',
      );

  const lookUpKnown = (address: string) =>
    misses.unlessRefused(address, async () => {
      logReads++;
      return 'the order';
    });

  it('answers the misses within the limit, then refuses the address for a minute without reading the log', async () => {
    for (let i = 0; i < PER_MINUTE; i++) expect(await lookUpUnknown(SCANNER)).toBe('404');
    expect(await lookUpUnknown(SCANNER)).toBe('429 Retry-After 60');
    expect(logReads).toBe(PER_MINUTE + 1);

    await clock.advance(30_000);
    expect(await lookUpUnknown(SCANNER)).toBe('429 Retry-After 30');
    await expect(lookUpKnown(SCANNER)).rejects.toThrow(LOOKUP_MISSES_MESSAGE);
    expect(logReads).toBe(PER_MINUTE + 1);
    expect(refusals).toEqual([LOOKUP_MISSES, LOOKUP_MISSES, LOOKUP_MISSES]);

    await clock.advance(30_000);
    expect(await lookUpKnown(SCANNER)).toBe('the order');
    expect(await lookUpUnknown(SCANNER)).toBe('404');
  });

  it('counts each address on its own', async () => {
    for (let i = 0; i <= PER_MINUTE; i++) await lookUpUnknown(SCANNER);
    expect(await lookUpUnknown(SCANNER)).toMatch(/^429/);
    expect(await lookUpKnown(REGULAR)).toBe('the order');
    expect(await lookUpUnknown(REGULAR)).toBe('404');
  });

  it('never counts an order the log holds, however often it is looked up', async () => {
    for (let i = 0; i < 100 * PER_MINUTE; i++) expect(await lookUpKnown(REGULAR)).toBe('the order');
    for (let i = 0; i < PER_MINUTE; i++) expect(await lookUpUnknown(REGULAR)).toBe('404');
    expect(refusals).toEqual([]);
  });

  it('never refuses misses that come no faster than the rate', async () => {
    for (let i = 0; i < 10 * PER_MINUTE; i++) {
      expect(await lookUpUnknown(REGULAR)).toBe('404');
      await clock.advance(60_000 / PER_MINUTE);
    }
    expect(refusals).toEqual([]);
  });

  it('lets any other failure of the read through uncounted', async () => {
    for (let i = 0; i < 2 * PER_MINUTE; i++) {
      await expect(
        misses.unlessRefused(SCANNER, () => Promise.reject(new ServiceClosing())),
      ).rejects.toBeInstanceOf(ServiceClosing);
    }
    expect(await lookUpUnknown(SCANNER)).toBe('404');
  });
});
