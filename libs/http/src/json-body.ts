import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { HttpStatus, type INestApplication, RequestMethod, type Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { ModulesContainer } from '@nestjs/core';
import { answerEarly, inFrontOfPlatform } from './early-refusal';
import { routePath } from './route-path';

/** No request of ours needs more: an order body is a few dozen bytes. */
const BODY_LIMIT_BYTES = 16 * 1024;

/**
 * Our bodies are flat objects of a key or two; these bound what validation walks. Within 16 KB
 * JSON can nest 8,000 deep, and class-transformer and class-validator recurse once per level:
 * a stack overflow, a 500, where a refusal is due.
 */
const JSON_DEPTH_LIMIT = 8;
const JSON_VALUES_LIMIT = 256;

/** Node's request once the gate has read it: `body` is where Express and Nest look for it. */
export type RequestWithBody = IncomingMessage & { body?: unknown };

/** A request the gate answers itself, before the platform sees it. */
interface Refusal {
  readonly status: HttpStatus;
  readonly message: string;
}

/**
 * Reads every request body on node's server, in front of either platform, so that both answer
 * alike and none is left half-read:
 * - a body over `BODY_LIMIT_BYTES` is 413 whatever its type, answered as soon as its
 *   `Content-Length` or the bytes read so far say so;
 * - a body sent to a route whose handler takes no `@Body()` is 415, and so is one that is not
 *   `application/json` (UTF-8, no content coding);
 * - both refusals close the connection instead of reading the rest of the body;
 * - malformed JSON is 400; a JSON value that is not an object is 422 (its keys are for the
 *   validation pipe to judge), and so is one nested deeper than `JSON_DEPTH_LIMIT` or holding
 *   more than `JSON_VALUES_LIMIT` values, before validation walks it.
 * A request the gate lets through has no body or a parsed object in `request.body`, read in
 * full: the platform never parses, and a held request never has bytes waiting on its socket.
 * A client that sends `Expect: 100-continue` is told to go on only once its headers passed.
 */
export function readJsonBodies(app: INestApplication): void {
  const routes = routesTakingBody(app);
  const server: Server = app.getHttpServer();
  // Without a listener node answers 100 Continue itself, inviting a body the gate may refuse.
  server.on('checkContinue', (request, response) => server.emit('request', request, response));
  inFrontOfPlatform(server, (request, response, platform) => {
    if (!hasBody(request)) return platform();
    const refused = refusalBeforeReading(request, routes);
    if (refused) return refuseUnread(response, refused);
    if (expectsContinue(request)) response.writeContinue();
    readBody(request, response, (text) => {
      const parsed = parseJsonObject(text);
      if ('status' in parsed) return answerEarly(response, parsed.status, parsed.message);
      (request as RequestWithBody).body = parsed.body;
      platform();
    });
  });
}

function hasBody(request: IncomingMessage): boolean {
  const { 'content-length': length, 'transfer-encoding': encoding } = request.headers;
  return encoding !== undefined || Number(length) > 0;
}

function refusalBeforeReading(
  request: IncomingMessage,
  routes: ReadonlySet<string>,
): Refusal | undefined {
  if (Number(request.headers['content-length']) > BODY_LIMIT_BYTES) return TOO_LARGE;
  const route = routeKey(request.method ?? '', request.url);
  if (!routes.has(route)) {
    return { status: HttpStatus.UNSUPPORTED_MEDIA_TYPE, message: `${route} takes no body` };
  }
  if (!isJsonInUtf8(request.headers['content-type'])) {
    return {
      status: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
      message: 'the body must be application/json in UTF-8',
    };
  }
  const coding = request.headers['content-encoding']?.trim().toLowerCase();
  if (coding !== undefined && coding !== 'identity') {
    return {
      status: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
      message: `Content-Encoding ${coding} is not accepted`,
    };
  }
  return undefined;
}

const TOO_LARGE: Refusal = {
  status: HttpStatus.PAYLOAD_TOO_LARGE,
  message: `the body must not exceed ${BODY_LIMIT_BYTES} bytes`,
};

/** `application/json`, with no charset or UTF-8's. */
function isJsonInUtf8(contentType: string | undefined): boolean {
  const [mediaType, ...parameters] = (contentType ?? '').toLowerCase().split(';');
  if (mediaType.trim() !== 'application/json') return false;
  return parameters.every((parameter) => {
    const [name, value] = parameter.split('=').map((part) => part.trim());
    return name !== 'charset' || value?.replace(/"/g, '') === 'utf-8';
  });
}

function expectsContinue(request: IncomingMessage): boolean {
  return /100-continue/i.test(request.headers.expect ?? '');
}

/** The rest of the body stays unread: closing the connection is cheaper than draining it. */
function refuseUnread(response: ServerResponse, refusal: Refusal): void {
  answerEarly(response, refusal.status, refusal.message, { connection: 'close' });
}

function readBody(
  request: IncomingMessage,
  response: ServerResponse,
  done: (text: string) => void,
): void {
  const chunks: Buffer[] = [];
  let size = 0;
  const onData = (chunk: Buffer) => {
    size += chunk.length;
    if (size <= BODY_LIMIT_BYTES) return void chunks.push(chunk);
    request.off('data', onData).off('end', onEnd).pause();
    refuseUnread(response, TOO_LARGE);
  };
  const onEnd = () => done(Buffer.concat(chunks).toString('utf8'));
  // A client that leaves halfway has nobody to answer; node closes its socket.
  request
    .on('data', onData)
    .on('end', onEnd)
    .on('error', () => undefined);
}

/** A refusal, or the body: undefined when it is blank. */
function parseJsonObject(text: string): Refusal | { body: unknown } {
  if (text.trim() === '') return { body: undefined };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return {
      status: HttpStatus.BAD_REQUEST,
      message: `the body is not valid JSON: ${(error as Error).message}`,
    };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { status: HttpStatus.UNPROCESSABLE_ENTITY, message: 'the body must be a JSON object' };
  }
  return exceedsStructureLimits(value) ? TOO_COMPLEX : { body: value };
}

const TOO_COMPLEX: Refusal = {
  status: HttpStatus.UNPROCESSABLE_ENTITY,
  message: `the body must not nest deeper than ${JSON_DEPTH_LIMIT} levels nor hold more than ${JSON_VALUES_LIMIT} values`,
};

/** Walked with a stack of its own, not by recursion: the depth is what is being judged. */
function exceedsStructureLimits(parsed: object): boolean {
  const pending: [unknown, number][] = [[parsed, 1]];
  let values = 0;
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [value, depth] = next;
    if (++values > JSON_VALUES_LIMIT || depth > JSON_DEPTH_LIMIT) return true;
    if (typeof value !== 'object' || value === null) continue;
    for (const child of Object.values(value)) pending.push([child, depth + 1]);
  }
  return false;
}

/** `POST /order`: the method and the route's path as `routePath` spells it. */
function routeKey(method: string, target: string | undefined): string {
  return `${method.toUpperCase()} ${routePath(target)}`;
}

/** The routes whose handler has a `@Body()` parameter, from the metadata Nest routes by. */
function routesTakingBody(app: INestApplication): Set<string> {
  const routes = new Set<string>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const { metatype } of module.controllers.values()) {
      if (metatype) addRoutesTakingBody(metatype as Type, routes);
    }
  }
  return routes;
}

function addRoutesTakingBody(controller: Type, routes: Set<string>): void {
  for (const name of Object.getOwnPropertyNames(controller.prototype)) {
    const parameters = Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, name) ?? {};
    if (!Object.keys(parameters).some((key) => key.startsWith(`${RouteParamtypes.BODY}:`))) {
      continue;
    }
    const handler = controller.prototype[name];
    const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler)];
    for (const prefix of pathsOf(controller)) {
      for (const path of pathsOf(handler)) routes.add(routeKey(method, `${prefix}/${path}`));
    }
  }
}

function pathsOf(target: object): string[] {
  const paths: string | string[] | undefined = Reflect.getMetadata(PATH_METADATA, target);
  return paths === undefined ? [''] : ([] as string[]).concat(paths);
}
