import type { StoredEvent } from '@cafe/ordering';
import { countStatuses, FLOOD_ADDRESS, type RushHourOutcome, type Served } from '@cafe/simulation';

/**
 * The outcome the issue asks for, whoever stands in front of the service: every regular got
 * 200; the flood got 429s in the JSON error shape with Retry-After (200s only for orders a
 * barista had started before the cut-off), each answered; no barista started a flood order
 * after its address was cut off, nor had an error. How long the regulars waited is the bench's to measure (apps/bench),
 * not a test's: a latency limit on a shared machine flakes.
 */
export function expectFloodCutOff(outcome: RushHourOutcome, log: readonly StoredEvent[]): void {
  expect(countStatuses(outcome.regulars)).toEqual({ 200: 200 });
  expect(outcome.baristas).toMatchObject({ startedTwice: 0, errors: 0 });

  const { answers, unanswered } = outcome.flood;
  expect(unanswered).toBe(0);
  const flood = countStatuses(answers);
  expect(Object.keys(flood).filter((status) => status !== '200' && status !== '429')).toEqual([]);
  const floodPlaced = log.filter(
    ({ event }) => event.type === 'OrderPlaced' && event.clientAddress === FLOOD_ADDRESS,
  );
  expect(floodPlaced.length).toBeLessThanOrEqual(
    burstAllowance(floodPlaced.map(({ event }) => event.at)),
  );
  expect(flood[429]).toBeGreaterThanOrEqual(answers.length - floodPlaced.length);
  const refused = answers.find(({ status }) => status === 429) as Served;
  expect(refused.body).toEqual({
    statusCode: 429,
    error: 'Too Many Requests',
    message: expect.any(String),
  });
  expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);

  const cutOff = log.find(
    ({ event }) => event.type === 'OrderCancelled' && event.reason === 'flood',
  );
  expect(cutOff).toBeDefined();
  const floodOrders = new Set(floodPlaced.map(({ event }) => event.orderId));
  const startedAfterCutOff = log.filter(
    ({ event, position }) =>
      event.type === 'OrderStarted' &&
      floodOrders.has(event.orderId) &&
      position > (cutOff as StoredEvent).position,
  );
  expect(startedAfterCutOff).toEqual([]);
}

/** The default burst limit: THROTTLE_BURST_LIMIT orders per THROTTLE_BURST_SECONDS. */
const BURST_LIMIT = 300;
const BURST_SECONDS = 10;

/**
 * How many orders of one address the burst throttler lets in over the span of `placedAt` (the
 * times its orders were placed, oldest first): the
 * bucket takes 300 at once and frees a place every 10 s / 300 (GCRA, docs/flood-defence.md), so
 * a flood spread over a few seconds gets that many more in before its block; one more for the
 * rounding of the bucket's half-interval slack.
 */
export function burstAllowance(placedAt: readonly number[]): number {
  if (placedAt.length === 0) return BURST_LIMIT;
  const spanMs = placedAt[placedAt.length - 1] - placedAt[0];
  return BURST_LIMIT + Math.ceil((spanMs * BURST_LIMIT) / (BURST_SECONDS * 1000)) + 1;
}
