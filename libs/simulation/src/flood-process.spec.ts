import type { Served } from './crowd';
import { floodReport } from './flood-process';

const answer = (status: number, waitMs: number, body: unknown = {}): Served => ({
  status,
  headers: {},
  body,
  waitMs,
});

describe('floodReport', () => {
  it('counts each answer as the simulator does, and the 429s per second over their span', () => {
    const report = floodReport({
      answers: [
        answer(200, 900),
        answer(429, 100),
        answer(429, 300),
        answer(429, 600),
        answer(503, 50, { message: 'Order was cancelled' }),
        answer(0, 10, 'Error: connect ECONNREFUSED'),
      ],
      unanswered: 2,
    });
    expect(report.flood).toEqual({
      ordered: 8,
      served: 1,
      throttled: 3,
      cancelled: 1,
      errors: 1,
      unanswered: 2,
    });
    expect(report.throttledPerSecond).toBe(6); // 3 in 500 ms
  });

  it('has no 429 rate without a 429', () => {
    expect(floodReport({ answers: [answer(200, 5)], unanswered: 0 }).throttledPerSecond).toBeNull();
  });
});
