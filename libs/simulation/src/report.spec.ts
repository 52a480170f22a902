import { formatReport, noOutcomes, type Outcomes, type RawResults, summarise } from './report';

const outcomes = (o: Partial<Outcomes>): Outcomes => ({ ...noOutcomes(), ...o });

const raw: RawResults = {
  regulars: outcomes({ ordered: 4, served: 4 }),
  flood: outcomes({ ordered: 100, served: 6, throttled: 90, unanswered: 4 }),
  regularWaitsMs: [40, 10, 30, 20],
  finishToAnswerMs: [1, 2],
  makespanMs: 2000,
  idealMakespanMs: 1000,
  throttledSpanMs: 500,
  startedTwice: 0,
  baristaErrors: 0,
  cpuMs: 52,
};

describe('the simulation report', () => {
  it('derives waits, makespan ratio and rates', () => {
    const report = summarise(raw);
    expect(report.regularWaitMs).toEqual({ count: 4, p50: 20, p95: 40, p99: 40, max: 40 });
    expect(report.makespanRatio).toBe(2);
    expect(report.servedPerSecond).toBe(5);
    expect(report.throttledPerSecond).toBe(180);
    expect(report.simulatorCpuUsPerOrder).toBe(500);
  });

  it('has no ratio without an ideal and no 429 rate without 429s', () => {
    const report = summarise({ ...raw, idealMakespanMs: 0, flood: outcomes({}) });
    expect(report.makespanRatio).toBeNull();
    expect(report.throttledPerSecond).toBeNull();
  });

  it('reads as text, showing the flood only when there was one', () => {
    const text = formatReport(summarise(raw));
    expect(text).toContain('regulars  ordered 4, served 4, throttled 0');
    expect(text).toContain(
      'flood     ordered 100, served 6, throttled 90, cancelled 0, errors 0, unanswered 4',
    );
    expect(text).toContain('p50 20.0 ms, p95 40.0 ms, p99 40.0 ms, max 40.0 ms');
    expect(text).toContain('(x2.00)');
    expect(text).toContain('429 answered per second: 180');
    expect(text).toContain('orders started twice: 0');
    expect(text).toContain('simulator CPU per order: 500 µs');
    expect(formatReport(summarise({ ...raw, flood: outcomes({}) }))).not.toContain('flood');
  });
});
