import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { LoggerService } from '@nestjs/common';
import { InfoLines } from '@cafe/ordering';
import { Logger as NestPinoLogger, PinoLogger } from 'nestjs-pino';
import type { Logger } from 'pino';
import type { TrustedProxies } from './client-address';
import { isFloodRefusal } from './early-refusal';
import { clientAddressOf, onResponseEnd } from './request-context';

/**
 * One JSON line per request, written when it ends: request id, method, path, status, duration
 * and the client's address (as the flood defence resolves it, through trusted proxies). Logged
 * at `info`; at `warn` nothing is attached at all, so a flood costs no logging. The id is a
 * UUID of ours, unique across both apps and restarts: a client-chosen id could forge or
 * collide with another's lines. Written on node's server, in front of either platform, one plain object a
 * line: nestjs-pino's middleware ran every request in an AsyncLocalStorage, whose promise hooks
 * slowed every promise of the process, and pino-http made a child logger per request (both
 * measured: docs/benchmarks.md); the line is built by `InfoLines`, as pino would write it. The
 * flood defence's own refusals on node's server are left out (counted in the metrics instead):
 * a flood would otherwise cost a line per request.
 */
export function logRequests(server: Server, logger: Logger, trusted: TrustedProxies): void {
  const lines = new InfoLines(logger);
  if (!lines.enabled) return;
  server.prependListener('request', (request: IncomingMessage, response: ServerResponse) => {
    const startedAt = performance.now();
    const requestId = randomUUID();
    // Read when the request arrives: by its end the socket may have gone, and its peer with it.
    const req: RequestSeen = {
      method: request.method,
      path: request.url?.split('?', 1)[0],
      client_address: clientAddressOf(request, trusted),
    };
    onResponseEnd(response, () => {
      if (isFloodRefusal(response)) return;
      lines.write(
        requestLineFields(
          requestId,
          req,
          response.statusCode,
          Math.round(performance.now() - startedAt),
        ),
        response.writableFinished ? 'request completed' : 'request aborted',
      );
    });
  });
}

/** What a request's line says of the request itself, as node's server gave it. */
export interface RequestSeen {
  readonly method: string | undefined;
  readonly path: string | undefined;
  readonly client_address: string;
}

/**
 * A request line's fields for `InfoLines.write`, in the order its object had when pino wrote
 * it: `{ request_id, req, res: { status }, duration_ms }`. `req` holds what the client wrote
 * (the path): JSON.stringify escapes it as pino did; the id is a UUID and the rest integers.
 */
export function requestLineFields(
  requestId: string,
  req: RequestSeen,
  status: number,
  durationMs: number,
): string {
  return `,"request_id":"${requestId}","req":${JSON.stringify(req)},"res":{"status":${status}},"duration_ms":${durationMs}`;
}

/** Where Nest logs each module it loads and each route it maps: some forty lines per start. */
const NEST_STARTUP_CONTEXTS = new Set([
  'NestFactory',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestApplication',
]);

/** Nest's start-up chatter at debug: the café's own banner says where everything is. */
class QuietStartLogger extends NestPinoLogger {
  override log(message: unknown, ...optionalParams: unknown[]): void {
    const context = optionalParams.at(-1);
    if (typeof context === 'string' && NEST_STARTUP_CONTEXTS.has(context)) {
      super.debug(message, ...optionalParams);
    } else {
      super.log(message, ...optionalParams);
    }
  }
}

/** Nest's own messages (start-up at debug, errors) as lines of the same logger; none when it is silent. */
export function nestLoggerFor(logger: Logger): LoggerService | false {
  if (logger.level === 'silent') return false;
  return new QuietStartLogger(new PinoLogger({ pinoHttp: { logger } }), {});
}
