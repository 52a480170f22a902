import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { LoggerService } from '@nestjs/common';
import { Logger as NestPinoLogger, PinoLogger } from 'nestjs-pino';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';

/** Ids unique across both apps and restarts. */
export const newRequestId = (): string => randomUUID();

/**
 * One JSON line per request, written when it ends: request id, method, path, status, duration
 * and the peer's address. Logged at `info`; at `warn` nothing is attached at all, so a flood
 * costs no logging. The id is always ours: a client-chosen id could forge or collide with
 * another's lines. pino-http sits on node's server, in front of either platform; nestjs-pino's
 * middleware would also run every request in an AsyncLocalStorage, whose promise hooks slow
 * every promise of the process (measured: docs/benchmarks.md).
 */
export function logRequests(server: Server, logger: Logger): void {
  if (!logger.isLevelEnabled('info')) return;
  const logRequest = pinoHttp({
    logger,
    genReqId: newRequestId,
    quietReqLogger: true,
    customAttributeKeys: { reqId: 'request_id', responseTime: 'duration_ms' },
    serializers: {
      req: (req: { method: string; url: string; remoteAddress?: string }) => ({
        method: req.method,
        path: req.url.split('?', 1)[0],
        client_address: req.remoteAddress,
      }),
      res: (res: { statusCode: number }) => ({ status: res.statusCode }),
    },
  });
  server.prependListener('request', (request, response) => logRequest(request, response));
}

/** Nest's own messages (start-up, errors) as lines of the same logger; none when it is silent. */
export function nestLoggerFor(logger: Logger): LoggerService | false {
  if (logger.level === 'silent') return false;
  return new NestPinoLogger(new PinoLogger({ pinoHttp: { logger } }), {});
}
