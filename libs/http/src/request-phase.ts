import { type IncomingMessage, type Server, type ServerResponse, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { answerEarly, inFrontOfPlatform } from './early-refusal';
import { errorBody } from './http-error.filter';
import { owe, owesAnswers } from './owed-answers';

/** How long a client may take to send its request; nothing bounds how long we take to answer. */
export interface RequestTimeouts {
  /** From accepting the connection (or the next request's first byte) to the end of the headers. */
  readonly headersMs: number;
  /** From the same start to the end of the body. */
  readonly requestMs: number;
}

/**
 * Bounds the request phase with node's own timers and answers what node refuses itself.
 *
 * A client that has not sent its headers within `headersMs`, or its whole request within
 * `requestMs`, gets 408 and its connection is closed: a slow or stalled client holds a socket
 * for that long at most, never a place in line. Node times a request only until it is
 * complete, so a held order's answer, open 15 minutes or more, is never cut; no socket idle
 * timeout is set for the same reason. Node checks every `connectionsCheckingInterval`, a
 * quarter of `headersMs` here (its default is 30 s).
 *
 * Malformed framing (a line that is not HTTP, a bad chunk size, duplicate Content-Length),
 * headers over node's 16 KB and the timeouts are answered as every other refusal, in the
 * exception filter's JSON, on both platforms (Fastify's own answer is replaced), and the
 * connection is closed.
 *
 * Closing the server stops those timers, and node's close() leaves alone a connection that
 * has sent nothing yet (a browser's spare connection) or part of a request: such a connection
 * would then hold close() open for ever. It is destroyed when the server closes; a connection
 * that still owes an answer (in progress, or pipelined behind one) is left to write them all,
 * then ended.
 */
export function limitRequestPhase(server: Server, { headersMs, requestMs }: RequestTimeouts): void {
  server.headersTimeout = headersMs;
  server.requestTimeout = requestMs;
  // Read when the server starts listening; node's types leave it out.
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval =
    Math.ceil(headersMs / 4);
  // Kept per connection, so it costs a set entry and one shared listener, no closure each.
  const connections = new Set<Socket>();
  function forget(this: Socket): void {
    connections.delete(this);
  }
  server.on('connection', (socket: Socket) => {
    connections.add(socket);
    socket.once('close', forget);
  });
  server.on('request', (_request: IncomingMessage, response: ServerResponse) => owe(response));
  // Called by close() (and by Fastify's): node's own would also destroy a connection whose
  // current answer is written while pipelined answers wait behind it (Express lost them).
  server.closeIdleConnections = function (this: Server) {
    for (const socket of connections) {
      const current = (socket as Socket & { _httpMessage?: { finished: boolean } })._httpMessage;
      if ((!current || current.finished) && !owesAnswers(socket)) socket.destroy();
    }
  };
  server.removeAllListeners('clientError');
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    // As node's own handler: no answer to a client that left, or in the middle of another one.
    const answering = (socket as Duplex & { _httpMessage?: { headersSent: boolean } })._httpMessage;
    if (error.code === 'ECONNRESET' || !socket.writable || answering?.headersSent) {
      return void socket.destroy();
    }
    const status = statusOfClientError(error.code);
    const body = JSON.stringify(errorBody(status, clientErrorMessage(error.code)));
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\n` +
        `Content-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  });
}

function statusOfClientError(code: string | undefined): number {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return 408;
  if (code === 'HPE_HEADER_OVERFLOW') return 431;
  return 400;
}

function clientErrorMessage(code: string | undefined): string {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return 'the request took too long to arrive';
  if (code === 'HPE_HEADER_OVERFLOW') return 'the headers exceed 16 KB';
  return 'the request is not valid HTTP/1.1';
}

/**
 * Refuses an HTTP/1.1 request without `Host` (RFC 9112, 3.2) with the JSON 400 and closes the
 * connection, as node would but in the shape of every other refusal: node's own check answers
 * a bare 400, so it is turned off. HTTP/1.0 may leave `Host` out. Call it after the gates that
 * read the request (the last installed runs first), so that such a request is never read on.
 */
export function refuseWithoutHost(server: Server): void {
  // Read per request; node's types have it only as an option of createServer.
  (server as Server & { requireHostHeader: boolean }).requireHostHeader = false;
  inFrontOfPlatform(server, (request, response, platform) => {
    if (request.headers.host !== undefined || request.httpVersion !== '1.1') return platform();
    answerEarly(response, 400, 'an HTTP/1.1 request must have a Host header', {
      connection: 'close',
    });
  });
}
