import type { StoredEvent } from '@cafe/ordering';
import { countStatuses, FLOOD_ADDRESS, type Served } from './crowd';

/**
 * The outcome the issue asks for, whoever stands in front of the service: every regular got
 * 200; the flood got 429s in the JSON error shape with Retry-After (200s only for orders a
 * barista had started before the cut-off); and no barista started a flood order after its
 * address was cut off. How long the regulars waited is the bench's to measure (apps/bench),
 * not a test's: a latency limit on a shared machine flakes.
 */
export function expectFloodCutOff(
  outcome: { regulars: Served[]; flood: Served[] },
  log: readonly StoredEvent[],
): void {
  expect(countStatuses(outcome.regulars)).toEqual({ 200: 200 });

  const flood = countStatuses(outcome.flood);
  expect(Object.keys(flood).filter((status) => status !== '200' && status !== '429')).toEqual([]);
  expect(flood[429]).toBeGreaterThanOrEqual(outcome.flood.length - 300);
  const refused = outcome.flood.find(({ status }) => status === 429) as Served;
  expect(refused.answer.body).toEqual({
    statusCode: 429,
    error: 'Too Many Requests',
    message: expect.any(String),
  });
  expect(Number(refused.answer.headers['retry-after'])).toBeGreaterThan(0);

  const cutOff = log.find(
    ({ event }) => event.type === 'OrderCancelled' && event.reason === 'flood',
  );
  expect(cutOff).toBeDefined();
  const floodOrders = new Set(
    log
      .filter(({ event }) => event.type === 'OrderPlaced' && event.clientAddress === FLOOD_ADDRESS)
      .map(({ event }) => event.orderId),
  );
  const startedAfterCutOff = log.filter(
    ({ event, position }) =>
      event.type === 'OrderStarted' &&
      floodOrders.has(event.orderId) &&
      position > (cutOff as StoredEvent).position,
  );
  expect(startedAfterCutOff).toEqual([]);
}
