import { type AddressInfo, createServer } from 'node:net';
import {
  Agent,
  type IncomingHttpHeaders,
  type IncomingMessage,
  request,
  type RequestOptions,
} from 'node:http';

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export interface SendOptions {
  agent: Agent;
  localAddress?: string;
  json?: unknown;
}

/** One request; resolves with any status, rejects only when the connection fails. */
export function send(
  url: URL,
  method: string,
  { agent, localAddress, json }: SendOptions,
): Promise<Answer> {
  const payload = json === undefined ? undefined : JSON.stringify(json);
  return exchange(
    {
      hostname: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port,
      method,
      path: url.pathname + url.search,
      agent,
      // A 127.x source address can only reach an IPv4 loopback.
      ...(localAddress ? { localAddress, family: 4 } : {}),
      headers: payload
        ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
        : {},
    },
    payload,
  );
}

/** Sends one request and reads its answer to the end; rejects only when the connection fails. */
export function exchange(options: RequestOptions, payload?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(options, (res) => readAnswer(res).then(resolve, reject));
    req.on('error', reject);
    req.end(payload);
  });
}

/** A service's base URL with a trailing slash, so that relative paths keep any prefix (e.g. behind a proxy). */
export function baseUrl(text: string): URL {
  const url = new URL(text);
  if (url.protocol !== 'http:') throw new Error(`${text}: only http:// is supported`);
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url;
}

/** Reads a response to its end; the body is parsed as JSON when it is JSON, else kept as text. */
export function readAnswer(res: IncomingMessage): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('error', reject);
    res.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON (e.g. an nginx error page): keep the text
      }
      resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
    });
  });
}

/** A loopback port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return (await freePorts(1))[0];
}

/**
 * `count` different loopback ports nobody listens on right now. Each is held until all are
 * found: a port found and released, then asked for again, may come back a second time.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers = Array.from({ length: count }, () => createServer());
  try {
    for (const server of servers) {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    }
    return servers.map((server) => (server.address() as AddressInfo).port);
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}
