import { STATUS_CODES } from 'node:http';
import { type ArgumentsHost, Catch, HttpException, HttpStatus } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import {
  DomainError,
  OrderNotFound,
  QueueEmpty,
  ServiceClosing,
} from '@cafe/ordering';

/** Seconds a client should wait before retrying after a 503 at shutdown. */
const RETRY_AFTER_CLOSING_SECONDS = 5;

/** The one place where a rule's refusal becomes an HTTP status. */
export function statusOf(error: DomainError): HttpStatus {
  if (error instanceof OrderNotFound || error instanceof QueueEmpty) return HttpStatus.NOT_FOUND;
  if (error instanceof ServiceClosing) return HttpStatus.SERVICE_UNAVAILABLE;
  return HttpStatus.CONFLICT;
}

@Catch(DomainError)
export class DomainExceptionFilter extends BaseExceptionFilter {
  override catch(error: DomainError, host: ArgumentsHost): void {
    const status = statusOf(error);
    if (error instanceof ServiceClosing) {
      const response = host.switchToHttp().getResponse();
      this.applicationRef?.setHeader(response, 'Retry-After', String(RETRY_AFTER_CLOSING_SECONDS));
    }
    const body = { statusCode: status, error: STATUS_CODES[status], message: error.message };
    super.catch(new HttpException(body, status), host);
  }
}
