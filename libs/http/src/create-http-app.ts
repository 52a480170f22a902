import type { DynamicModule, INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from 'pino';
import { type ApiDocsInfo, setupApiDocs } from './api-docs';
import type { TrustedProxies } from './client-address';
import { type ErrorAnswer, HttpErrorFilter } from './http-error.filter';
import { readJsonBodies, type RequestWithBody } from './json-body';
import { limitRequestPhase, refuseWithoutHost, type RequestTimeouts } from './request-phase';
import { StrictValidationPipe } from './validation.pipe';
import { logRequests, nestLoggerFor } from './request-log';

export const HTTP_ADAPTERS = ['express', 'fastify'] as const;
export type HttpAdapterName = (typeof HTTP_ADAPTERS)[number];

export interface HttpAppOptions {
  adapter: HttpAdapterName;
  /** Takes one line per request and Nest's own messages. */
  logger: Logger;
  /** Titles the app's API documents at /docs. */
  docs: ApiDocsInfo;
  /** Whose X-Forwarded-For the request log believes (TRUSTED_PROXIES). */
  trustedProxies: TrustedProxies;
  /** How long a client may take to send its request (HEADERS_TIMEOUT_SECONDS, REQUEST_TIMEOUT_SECONDS). */
  requestTimeouts: RequestTimeouts;
  /** The app's features' own answers to their errors (the flood cut-off's 429). */
  errorAnswers?: readonly ErrorAnswer[];
}

/** Creates one HTTP app on either platform with the rules both apps share. */
export async function createHttpApp(
  module: DynamicModule,
  { adapter, logger: log, docs, trustedProxies, requestTimeouts, errorAnswers }: HttpAppOptions,
): Promise<INestApplication> {
  const logger = nestLoggerFor(log);
  const app =
    adapter === 'fastify'
      ? await createFastifyApp(module, logger)
      : await createExpressApp(module, logger);
  limitRequestPhase(app.getHttpServer(), requestTimeouts);
  readJsonBodies(app);
  refuseWithoutHost(app.getHttpServer());
  app.useGlobalPipes(new StrictValidationPipe());
  app.useGlobalFilters(new HttpErrorFilter(app.getHttpAdapter(), errorAnswers));
  setupApiDocs(app, docs);
  logRequests(app.getHttpServer(), log, trustedProxies);
  return app;
}

async function createExpressApp(
  module: DynamicModule,
  logger: ReturnType<typeof nestLoggerFor>,
): Promise<INestApplication> {
  // No body parser: readJsonBodies has read the body into `request.body`, where Nest looks.
  const app = await NestFactory.create<NestExpressApplication>(module, new ExpressAdapter(), {
    logger,
    abortOnError: false,
    bodyParser: false,
  });
  app.disable('x-powered-by');
  // An ETag is a hash of every body sent, and no answer of ours is worth revalidating: orders
  // change, errors are not cached (Fastify sends none either).
  app.set('etag', false);
  return app;
}

async function createFastifyApp(
  module: DynamicModule,
  logger: ReturnType<typeof nestLoggerFor>,
): Promise<INestApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    module,
    new FastifyAdapter({
      // Fastify would refuse a path parameter over 100 characters with its own 414 body;
      // node already bounds the URL (16 KB of headers), and validation answers as on Express.
      routerOptions: { ignoreTrailingSlash: true, maxParamLength: 16 * 1024 },
    }),
    { logger, abortOnError: false, bodyParser: false },
  );
  // Fastify parses JSON and text itself; here it takes what readJsonBodies has read instead.
  const fastify = app.getHttpAdapter().getInstance();
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', (request, _payload, done) =>
    done(null, (request.raw as RequestWithBody).body),
  );
  return app;
}

/**
 * Connections the kernel queues before the app accepts them (capped by net.core.somaxconn).
 * Node's default, 511, overflows when a flood opens thousands at once, and then everyone's new
 * connections are dropped or reset, the regulars' too.
 */
export const LISTEN_BACKLOG = 4096;

/** Starts listening with our backlog; both platforms take node's listen options. */
export async function listen(app: INestApplication, port: number, host: string): Promise<void> {
  await app.listen({ port, host, backlog: LISTEN_BACKLOG } as unknown as number);
}
