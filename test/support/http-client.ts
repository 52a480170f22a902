import type { IncomingHttpHeaders } from 'node:http';
import { exchange, freePort, freePorts } from '@cafe/simulation';

export { freePort, freePorts };

export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  // Tests read whatever JSON came back.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export interface CallOptions {
  /** Sent as JSON. */
  json?: unknown;
  /** Sent verbatim, for malformed and oversized bodies. */
  raw?: string;
  headers?: Record<string, string>;
  /** The client socket binds here, so one test can act as many addresses (127.0.x.y). */
  localAddress?: string;
  signal?: AbortSignal;
}

/**
 * One request on its own connection (no agent, no pooling), as a customer's phone would make it.
 * Resolves with any status; rejects only when the connection fails, naming the request (a bare
 * ECONNRESET in a test of several cafés does not say which one).
 */
export function call(
  port: number,
  method: string,
  path: string,
  { json, raw, headers = {}, localAddress, signal }: CallOptions = {},
): Promise<HttpAnswer> {
  const payload = json === undefined ? raw : JSON.stringify(json);
  const contentType = json === undefined ? {} : { 'content-type': 'application/json' };
  return exchange(
    {
      host: '127.0.0.1',
      port,
      method,
      path,
      agent: false,
      localAddress,
      signal,
      headers: { ...contentType, ...headers },
    },
    payload,
  ).catch((error: Error) => {
    error.message = `${method} 127.0.0.1:${port}${path}: ${error.message}`;
    throw error;
  });
}

/** Resolves once `probe` returns true; fails the test after `timeoutMs`. */
export async function eventually(
  probe: () => Promise<boolean> | boolean,
  timeoutMs = 5000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Whether the promise has settled, without waiting for it. */
export async function isSettled(promise: Promise<unknown>): Promise<boolean> {
  const pending = Symbol('pending');
  const winner = await Promise.race([
    promise.then(
      () => 1,
      () => 1,
    ),
    Promise.resolve(pending),
  ]);
  return winner !== pending;
}
