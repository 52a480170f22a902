import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Departure as CustomerDeparture } from '@cafe/ordering';
import { resolveClientAddress, type TrustedProxies } from './client-address';

/**
 * The only code that knows both platforms: Express hands Nest node's own request and response,
 * Fastify wraps them and keeps node's objects in `.raw`.
 */
export function nodeRequest(context: ExecutionContext): IncomingMessage {
  const request = context.switchToHttp().getRequest();
  return request.raw ?? request;
}

function nodeResponse(context: ExecutionContext): ServerResponse {
  const response = context.switchToHttp().getResponse();
  return response.raw ?? response;
}

/** The listeners waiting for each response's end; `ENDED` once it came. */
const exchangeEnds = new WeakMap<ServerResponse, (() => void)[] | typeof ENDED>();
const ENDED = Symbol('ended');

/**
 * The exchanges of each connection that are not over yet. A response node queued behind
 * another on a keep-alive connection (pipelining) has no socket of its own yet: it never
 * emits `close` when the client hangs up, so the connection tells them all itself.
 */
const openExchanges = new WeakMap<Socket, Set<() => void>>();

function endOpenExchanges(this: Socket): void {
  const ends = openExchanges.get(this);
  openExchanges.delete(this);
  for (const end of ends ?? []) end();
}

/**
 * Calls `listener` once the exchange is over: the response was sent, or the client left (at
 * once if that already happened here), whether or not the response was queued behind others on
 * its connection. All of a response's listeners share one `close` listener, and all of a
 * connection's exchanges one listener on the socket: the request log, the flood guard and a
 * held order each had one of their own, with the `once` wrapper and state node makes for each,
 * kept for as long as the order waits.
 */
export function onResponseEnd(response: ServerResponse, listener: () => void): void {
  const listeners = exchangeEnds.get(response);
  if (listeners === ENDED) return listener();
  if (listeners) return void listeners.push(listener);
  const first = [listener];
  exchangeEnds.set(response, first);
  const socket = response.req.socket;
  const end = () => {
    if (exchangeEnds.get(response) === ENDED) return;
    exchangeEnds.set(response, ENDED);
    openExchanges.get(socket)?.delete(end);
    for (const each of first) each();
  };
  response.once('close', end);
  if (socket.closed) return end();
  let open = openExchanges.get(socket);
  if (!open) {
    openExchanges.set(socket, (open = new Set()));
    socket.once('close', endOpenExchanges);
  }
  open.add(end);
}

/** The customer's `Departure` (see WaitingCustomers): they left before their response was sent. */
export const Departure = createParamDecorator(
  (_: unknown, context: ExecutionContext): CustomerDeparture => {
    const response = nodeResponse(context);
    return {
      onLeave: (listener) =>
        onResponseEnd(response, () => {
          if (!response.writableFinished) listener();
        }),
    };
  },
);

const clientAddresses = new WeakMap<IncomingMessage, string>();

/**
 * The client's address as TRUSTED_PROXIES allows us to see it (`resolveClientAddress`),
 * resolved once per request and kept with it: the request log, the early refusal, the guard's
 * throttlers and the handler all ask. The process has one TRUSTED_PROXIES, so the first
 * answer holds for every later asker.
 */
export function clientAddressOf(request: IncomingMessage, trusted: TrustedProxies): string {
  let address = clientAddresses.get(request);
  if (address === undefined) {
    address = resolveClientAddress(
      {
        peerAddress: request.socket.remoteAddress,
        forwardedFor: request.headers['x-forwarded-for'],
      },
      trusted,
    );
    clientAddresses.set(request, address);
  }
  return address;
}

/** Node's request behind the platform's; pipe it through `ClientAddressPipe` for the client's address. */
export const NodeRequest = createParamDecorator((_: unknown, context: ExecutionContext) =>
  nodeRequest(context),
);

/**
 * Node's response behind the platform's, for a handler that writes it itself (it must take the
 * platform's with `@Res()` so that Nest does not answer too). Fastify is told to keep out.
 */
export function takeOverResponse(platformResponse: unknown): ServerResponse {
  const response = platformResponse as ServerResponse & { raw?: ServerResponse; hijack?(): void };
  response.hijack?.();
  return response.raw ?? response;
}

/** Sets the status and headers of an answer the handler returns (Nest sends the body). */
export interface ReplyHead {
  status(code: number): void;
  header(name: string, value: string): void;
}

/** Express's response and Fastify's reply both have `status` and `header`; node's raw response has neither. */
export const ReplyHead = createParamDecorator(
  (_: unknown, context: ExecutionContext): ReplyHead => {
    const response = context.switchToHttp().getResponse();
    return {
      status: (code) => response.status(code),
      header: (name, value) => response.header(name, value),
    };
  },
);

/** The parsed body as the client sent it, before validation applied defaults. */
export const SentBody = createParamDecorator(
  (_: unknown, context: ExecutionContext): unknown => context.switchToHttp().getRequest().body,
);

/** `onResponseEnd` for the exchange a guard or an interceptor sees. */
export function onExchangeEnd(context: ExecutionContext, listener: () => void): void {
  onResponseEnd(nodeResponse(context), listener);
}
