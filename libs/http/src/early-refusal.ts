import type { IncomingMessage, OutgoingHttpHeaders, Server, ServerResponse } from 'node:http';
import { errorBody } from './http-error.filter';
import { owe } from './owed-answers';

/** A request refused before the platform sees it: the message and when to come back. */
export interface EarlyRefusal {
  readonly message: string;
  readonly retryAfterSeconds: number;
}

type RequestListener = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * Runs `gate` on node's server in front of the platform's own listener, which it calls with
 * `platform()` for the requests it lets through. Call it after the platform attached its
 * listener; the gate installed last runs first.
 */
export function inFrontOfPlatform(
  server: Server,
  gate: (request: IncomingMessage, response: ServerResponse, platform: () => void) => void,
): void {
  const platform = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  server.on('request', (request: IncomingMessage, response: ServerResponse) =>
    gate(request, response, () => {
      for (const listener of platform) listener.call(server, request, response);
    }),
  );
}

/** An error answer written on node's server, with the exception filter's body. */
export function answerEarly(
  response: ServerResponse,
  status: number,
  message: string,
  headers: OutgoingHttpHeaders = {},
): void {
  owe(response);
  const body = JSON.stringify(errorBody(status, message));
  response.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}

/** The flood defence's refusals: the request log leaves them out, a flood must not cost a line each. */
const unlogged = new WeakSet<ServerResponse>();

/** True for a response `answerFlood` wrote. */
export function isFloodRefusal(response: ServerResponse): boolean {
  return unlogged.has(response);
}

/** The flood defence's 429 on node's server: counted by its caller, never logged. */
export function answerFlood(
  response: ServerResponse,
  refusal: EarlyRefusal,
  headers: OutgoingHttpHeaders = {},
): void {
  unlogged.add(response);
  answerEarly(response, 429, refusal.message, {
    ...headers,
    'retry-after': String(refusal.retryAfterSeconds),
  });
}

/**
 * Answers 429 on node's server, before Express or Fastify sees the request, to what `refusal`
 * picks. Routing, body parsing, guards and the exception filter are most of what a refusal
 * costs, and a flood sends thousands. The answer has the shape and the `Retry-After` of the
 * exception filter's 429s.
 */
export function refuseEarly(
  server: Server,
  refusal: (request: IncomingMessage) => EarlyRefusal | undefined,
): void {
  inFrontOfPlatform(server, (request, response, platform) => {
    const refused = refusal(request);
    if (refused === undefined) return platform();
    answerFlood(response, refused);
  });
}
