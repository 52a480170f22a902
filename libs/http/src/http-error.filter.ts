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
  type DomainErrorKind,
  EventStoreError,
  type EventStoreErrorKind,
} from '@cafe/ordering';
import { RetryLater } from './too-many-requests.exception';
import { Unauthorized } from './unauthorized.exception';

/** Seconds a client should wait before retrying after a 503 at shutdown. */
const RETRY_AFTER_CLOSING_SECONDS = 5;
/**
 * Seconds to wait after a 503 of an unreachable or stuck log: about what an instance takes to
 * find its database again once it answers (a heartbeat and a reconnect, docs/adr/0013).
 */
const RETRY_AFTER_LOG_UNAVAILABLE_SECONDS = 5;

/**
 * How an app answers an error whose meaning belongs to one of its features (the flood defence's
 * cut-off), so that this library keeps no feature's policy. The app hands its answers to
 * `createHttpApp`; the filter tries them before its own mapping.
 */
export interface ErrorAnswer {
  matches(error: unknown): boolean;
  readonly status: HttpStatus;
  /** Sent as Retry-After: every 429 and 503 says when to come back. */
  readonly retryAfterSeconds?: number;
}

/** How the service answers one kind of refusal or failure. */
interface KindAnswer {
  readonly status: HttpStatus;
  /** Sent as Retry-After: every 503 says when to come back. */
  readonly retryAfterSeconds?: number;
}

/**
 * The one place where a rule's refusal, or the order log's, becomes an HTTP status: a table
 * over the closed unions of kinds, so a kind added to either does not compile until it is here.
 */
const ANSWER_OF_KIND: Readonly<Record<DomainErrorKind | EventStoreErrorKind, KindAnswer>> = {
  'not-found': { status: HttpStatus.NOT_FOUND },
  refused: { status: HttpStatus.CONFLICT },
  closing: {
    status: HttpStatus.SERVICE_UNAVAILABLE,
    retryAfterSeconds: RETRY_AFTER_CLOSING_SECONDS,
  },
  'key-reused': { status: HttpStatus.UNPROCESSABLE_ENTITY },
  outrun: { status: HttpStatus.CONFLICT },
  unavailable: {
    status: HttpStatus.SERVICE_UNAVAILABLE,
    retryAfterSeconds: RETRY_AFTER_LOG_UNAVAILABLE_SECONDS,
  },
};

/** The status of a rule's refusal, or the order log's. */
export function statusOf(error: DomainError | EventStoreError): HttpStatus {
  return ANSWER_OF_KIND[error.kind].status;
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
  constructor(
    applicationRef: HttpServer,
    private readonly appAnswers: readonly ErrorAnswer[] = [],
  ) {
    super(applicationRef);
  }

  override catch(error: unknown, host: ArgumentsHost): void {
    const appAnswer = this.appAnswers.find((candidate) => candidate.matches(error));
    const body = appAnswer
      ? errorBody(appAnswer.status, (error as Error).message)
      : this.toErrorBody(error);
    if (!body) return super.catch(error, host);
    const response = host.switchToHttp().getResponse();
    const platform = this.applicationRef as HttpServer;
    // Headers already went out (a stream that failed halfway): all that is left is to end it.
    if (platform.isHeadersSent(response)) return void platform.end(response);
    const retryAfter = appAnswer ? appAnswer.retryAfterSeconds : retryAfterSeconds(error);
    if (retryAfter !== undefined) platform.setHeader(response, 'Retry-After', String(retryAfter));
    if (error instanceof Unauthorized) {
      platform.setHeader(response, 'WWW-Authenticate', error.challenge);
    }
    // Sent as BaseExceptionFilter sends an HttpException, without making one: its stack trace
    // was most of what a barista's 404 on an empty queue cost.
    platform.reply(response, body, body.statusCode);
  }

  private toErrorBody(error: unknown): ErrorBody | undefined {
    if (error instanceof DomainError || error instanceof EventStoreError) {
      return errorBody(statusOf(error), error.message);
    }
    if (error instanceof HttpException) {
      const response = error.getResponse();
      const message =
        typeof response === 'object' && 'message' in response
          ? (response.message as string | string[])
          : error.message;
      return errorBody(error.getStatus(), message);
    }
    const status = clientErrorStatus(error);
    if (status) return errorBody(status, (error as Error).message);
    return undefined;
  }
}

/** Every 429 and 503 says when to come back. */
function retryAfterSeconds(error: unknown): number | undefined {
  if (error instanceof DomainError || error instanceof EventStoreError) {
    return ANSWER_OF_KIND[error.kind].retryAfterSeconds;
  }
  if (error instanceof RetryLater) return error.retryAfterSeconds;
  return undefined;
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
