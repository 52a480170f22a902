import { randomUUID } from 'node:crypto';
import { type DynamicModule, type LoggerService, RequestMethod } from '@nestjs/common';
import { Logger as NestPinoLogger, LoggerModule, PinoLogger } from 'nestjs-pino';
import type { Logger } from 'pino';

/** Ids unique across both apps and restarts; Fastify is given the same generator. */
export const newRequestId = (): string => randomUUID();

/**
 * One JSON line per request, written when it ends: request id, method, path, status, duration
 * and the peer's address. Logged at `info`, so that at `warn` a flood writes no line per request.
 * The id is always ours: a client-chosen id could forge or collide with another's lines.
 * (Fastify names each request itself, and pino-http keeps that name.)
 */
export function requestLogModule(logger: Logger): DynamicModule {
  return LoggerModule.forRoot({
    forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
    pinoHttp: {
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
    },
  });
}

/** Nest's own messages (start-up, errors) as lines of the same logger; none when it is silent. */
export function nestLoggerFor(logger: Logger): LoggerService | false {
  if (logger.level === 'silent') return false;
  return new NestPinoLogger(new PinoLogger({ pinoHttp: { logger } }), {});
}
