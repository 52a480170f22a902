import { STATUS_CODES } from 'node:http';
import {
  type ArgumentsHost,
  Catch,
  HttpException,
  type HttpServer,
  HttpStatus,
} from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { ApiProperty } from '@nestjs/swagger';
import {
  DomainError,
  EventStoreUnavailable,
  IdempotencyKeyReused,
  OrderNotFound,
  OrderWasCancelled,
  QueueEmpty,
  ServiceClosing,
} from '@cafe/ordering';
import { TooManyRequests } from './too-many-requests.exception';
import { Unauthorized } from './unauthorized.exception';

/** Seconds a client should wait before retrying after a 503 at shutdown. */
const RETRY_AFTER_CLOSING_SECONDS = 5;

/** The one place where a rule's refusal becomes an HTTP status. */
export function statusOf(error: DomainError): HttpStatus {
  if (error instanceof OrderNotFound || error instanceof QueueEmpty) return HttpStatus.NOT_FOUND;
  if (error instanceof ServiceClosing) return HttpStatus.SERVICE_UNAVAILABLE;
  if (error instanceof EventStoreUnavailable) return HttpStatus.SERVICE_UNAVAILABLE;
  if (error instanceof IdempotencyKeyReused) return HttpStatus.UNPROCESSABLE_ENTITY;
  if (isCutOff(error)) return HttpStatus.TOO_MANY_REQUESTS;
  return HttpStatus.CONFLICT;
}

/** The order was accepted, then cancelled because its address was blocked as a flood. */
function isCutOff(error: unknown): error is OrderWasCancelled {
  return error instanceof OrderWasCancelled && error.reason === 'flood';
}

/** The body of every error answer; a class so that the API documents can show it. */
export class ErrorBody {
  @ApiProperty({ example: 404 })
  statusCode!: number;
  @ApiProperty({ example: 'Not Found' })
  error!: string;
  @ApiProperty({
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
    example: 'no order is waiting to be started',
  })
  message!: string | string[];
}

/**
 * Every error leaves as `{statusCode, error, message}`, whichever layer raised it: a domain
 * rule, Nest (validation, unknown route), or the platform's body parser (malformed JSON, too
 * large), whose errors carry their status in `status` or `statusCode`. Anything else is a bug:
 * Nest answers 500 and logs it.
 */
@Catch()
export class HttpErrorFilter extends BaseExceptionFilter {
  /** `cutOffRetryAfterSeconds`: how long an address cut off as a flood stays blocked. */
  constructor(
    applicationRef: HttpServer,
    private readonly cutOffRetryAfterSeconds?: number,
  ) {
    super(applicationRef);
  }

  override catch(error: unknown, host: ArgumentsHost): void {
    const answer = this.toHttpException(error);
    if (!answer) return super.catch(error, host);
    const response = host.switchToHttp().getResponse();
    const retryAfter = this.retryAfterSeconds(error);
    if (retryAfter !== undefined) {
      this.applicationRef?.setHeader(response, 'Retry-After', String(retryAfter));
    }
    if (error instanceof Unauthorized) {
      this.applicationRef?.setHeader(response, 'WWW-Authenticate', error.challenge);
    }
    super.catch(answer, host);
  }

  /** Every 429 and 503 says when to come back. */
  private retryAfterSeconds(error: unknown): number | undefined {
    if (error instanceof ServiceClosing) return RETRY_AFTER_CLOSING_SECONDS;
    if (error instanceof TooManyRequests) return error.retryAfterSeconds;
    if (isCutOff(error)) return this.cutOffRetryAfterSeconds;
    return undefined;
  }

  private toHttpException(error: unknown): HttpException | undefined {
    if (error instanceof DomainError) return errorResponse(statusOf(error), error.message);
    if (error instanceof HttpException) {
      const response = error.getResponse();
      const message =
        typeof response === 'object' && 'message' in response
          ? (response.message as string | string[])
          : error.message;
      return errorResponse(error.getStatus(), message);
    }
    const status = clientErrorStatus(error);
    if (status) return errorResponse(status, (error as Error).message);
    return undefined;
  }
}

function errorResponse(status: number, message: string | string[]): HttpException {
  return new HttpException(errorBody(status, message), status);
}

/** The body of an error answer with this status; also for answers written before the platform. */
export function errorBody(status: number, message: string | string[]): ErrorBody {
  return { statusCode: status, error: STATUS_CODES[status] ?? 'Error', message };
}

/** The 4xx status a parser attached to its error (http-errors and Fastify both do), if any. */
function clientErrorStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { status, statusCode } = error as { status?: unknown; statusCode?: unknown };
  const candidate = typeof status === 'number' ? status : statusCode;
  return typeof candidate === 'number' && candidate >= 400 && candidate < 500
    ? candidate
    : undefined;
}
