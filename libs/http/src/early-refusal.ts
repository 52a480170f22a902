import { type IncomingMessage, type Server, type ServerResponse, STATUS_CODES } from 'node:http';

/** A request refused before the platform sees it: the message and when to come back. */
export interface EarlyRefusal {
  readonly message: string;
  readonly retryAfterSeconds: number;
}

type RequestListener = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * Answers 429 on node's server, before Express or Fastify sees the request, to what `refusal`
 * picks. Routing, body parsing, guards and the exception filter are most of what a refusal
 * costs, and a flood sends thousands. The answer has the shape and the `Retry-After` of the
 * exception filter's 429s. Call it after the platform attached its own listener.
 */
export function refuseEarly(
  server: Server,
  refusal: (request: IncomingMessage) => EarlyRefusal | undefined,
): void {
  const platform = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const refused = refusal(request);
    if (refused === undefined) {
      for (const listener of platform) listener.call(server, request, response);
      return;
    }
    const body = JSON.stringify({
      statusCode: 429,
      error: STATUS_CODES[429],
      message: refused.message,
    });
    response.writeHead(429, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      'retry-after': String(refused.retryAfterSeconds),
    });
    response.end(body);
  });
}
