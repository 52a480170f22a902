import type { ArgumentsHost, HttpServer } from '@nestjs/common';
import {
  EventStoreUnavailable,
  IdempotencyKeyReused,
  IdempotencyKeyTaken,
  LeaseNotExpired,
  OrderAlreadyPlaced,
  OrderInWrongState,
  OrderNotFound,
  OrderWasCancelled,
  QueueEmpty,
  ServiceClosing,
  WrongExpectedVersion,
} from '@cafe/ordering';
import { HttpErrorFilter } from './http-error.filter';

/** What the filter sent: the platform is a recorder, so the answer is read as a client reads it. */
function answerTo(error: unknown) {
  const headers: Record<string, string> = {};
  let sent: { body: unknown; status?: number } | undefined;
  const platform = {
    isHeadersSent: () => false,
    setHeader: (_response: unknown, name: string, value: string) => (headers[name] = value),
    reply: (_response: unknown, body: unknown, status?: number) => (sent = { body, status }),
    end: () => undefined,
  } as unknown as HttpServer;
  const host = {
    switchToHttp: () => ({ getResponse: () => ({}), getRequest: () => ({}) }),
  } as unknown as ArgumentsHost;
  new HttpErrorFilter(platform).catch(error, host);
  return { ...sent, headers };
}

describe('HttpErrorFilter: each refusal of the rules or the log becomes one answer', () => {
  it.each<[string, Error, number, string]>([
    ['OrderNotFound', new OrderNotFound('o1'), 404, 'Not Found'],
    ['QueueEmpty', new QueueEmpty(), 404, 'Not Found'],
    ['OrderInWrongState', new OrderInWrongState('o1', 'ready', 'brewing'), 409, 'Conflict'],
    ['OrderAlreadyPlaced', new OrderAlreadyPlaced('o1'), 409, 'Conflict'],
    ['OrderWasCancelled', new OrderWasCancelled('o1', 'flood'), 409, 'Conflict'],
    ['LeaseNotExpired', new LeaseNotExpired('o1'), 409, 'Conflict'],
    ['IdempotencyKeyReused', new IdempotencyKeyReused('o1'), 422, 'Unprocessable Entity'],
    ['WrongExpectedVersion', new WrongExpectedVersion('o1', 1, 2), 409, 'Conflict'],
    ['IdempotencyKeyTaken', new IdempotencyKeyTaken('k'), 409, 'Conflict'],
  ])('%s answers %d without Retry-After', (_, error, status, name) => {
    expect(answerTo(error)).toEqual({
      status,
      body: { statusCode: status, error: name, message: error.message },
      headers: {},
    });
  });

  it.each<[string, Error]>([
    ['ServiceClosing', new ServiceClosing()],
    ['EventStoreUnavailable', new EventStoreUnavailable('closed')],
  ])('%s answers 503 with Retry-After: 5', (_, error) => {
    expect(answerTo(error)).toEqual({
      status: 503,
      body: { statusCode: 503, error: 'Service Unavailable', message: error.message },
      headers: { 'Retry-After': '5' },
    });
  });
});
