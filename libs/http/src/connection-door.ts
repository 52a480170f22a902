import { readdirSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { canonicalAddress, type TrustedProxies } from './client-address';
import { answerFlood, type EarlyRefusal, inFrontOfPlatform } from './early-refusal';
import { errorBody } from './http-error.filter';
import { clientAddressOf, onResponseEnd } from './request-context';

/** Why the door refused: the metric's label. */
export type DoorRefusal = 'per_address' | 'descriptor_reserve' | 'requests_in_progress';

export interface ConnectionDoorOptions {
  /** Connections one address may hold open, and requests it may have in progress (MAX_CONNECTIONS_PER_ADDRESS). */
  readonly perAddress: number;
  /** Descriptors the customer server leaves to the rest of the process (FD_RESERVE). */
  readonly descriptorReserve: number;
  /** Behind these the socket's peer is a proxy: its connections are many clients'. */
  readonly trustedProxies: TrustedProxies;
  /** Counts each refusal. */
  readonly count: (refusal: DoorRefusal) => void;
  readonly logger: Logger;
  /** The process's limit of open files; read from /proc by default (undefined: not Linux, no limit known). */
  readonly openFileLimit?: number;
}

/** A refused connection is answered and kept a moment, so that its client reads the 429 rather than a reset. */
const LINGER_MS = 1000;
/**
 * Under pressure (refused connections still lingering hold this share of the server's
 * descriptors), the next is closed unanswered; where the limit is unknown, past LINGER_MAX.
 */
const LINGER_SHARE = 0.25;
const LINGER_MAX = 1024;
/** Once full, the server says it has room again below this share of its connections. */
const ROOM_AGAIN = 0.9;

const RETRY_AFTER_SECONDS = 5;
const TOO_MANY_CONNECTIONS = 'too many connections from your address';
const TOO_MANY_REQUESTS: EarlyRefusal = {
  message: 'too many requests in progress from your address',
  retryAfterSeconds: RETRY_AFTER_SECONDS,
};
/** Written before the platform ever sees the socket: no request has been read. */
const REFUSED_CONNECTION = Buffer.from(
  (() => {
    const body = JSON.stringify(errorBody(429, TOO_MANY_CONNECTIONS));
    return (
      `HTTP/1.1 429 Too Many Requests\r\nConnection: close\r\nRetry-After: ${RETRY_AFTER_SECONDS}\r\n` +
      `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
    );
  })(),
  'latin1',
);

/**
 * The customer server's door, in front of node's HTTP parser (as nginx's `limit_conn`, for a
 * café that runs without nginx):
 * - an address holds at most `perAddress` open connections; the next is answered 429 and
 *   closed before a byte of it is parsed (closed unanswered when many are being refused at
 *   once). A trusted proxy's connections are not counted: they carry many clients;
 * - an address, as TRUSTED_PROXIES resolves it, has at most `perAddress` requests in
 *   progress: requests held open (`GET /orders/{id}?wait=60`, an order waiting) pipelined on
 *   a few connections, or arriving through a proxy, are limited too;
 * - the server holds at most the process's limit of open files less the descriptors open when
 *   it starts and `descriptorReserve`: past that node closes new connections at once, so the
 *   barista port, health and metrics always find a descriptor. It says so once in the log,
 *   and `refusingConnections` is true (readiness reads it) until it has room again.
 * Every refusal is counted. State is a count per address with open connections or requests.
 */
export class ConnectionDoor {
  private readonly connections = new Map<string, number>();
  private readonly requests = new Map<string, number>();
  private total = 0;
  private lingering = 0;
  private full = false;
  /** Undefined when the process's limit is unknown. */
  readonly inAll: number | undefined;
  private readonly lingeringMax: number;

  constructor(private readonly options: ConnectionDoorOptions) {
    const limit = options.openFileLimit ?? openFileLimit();
    this.inAll =
      limit === undefined ? undefined : limit - openDescriptors() - options.descriptorReserve;
    if (this.inAll !== undefined && this.inAll < 1) {
      throw new Error(
        `FD_RESERVE=${options.descriptorReserve} leaves no descriptor for customers: the limit of open files is ${limit} (ulimit -n)`,
      );
    }
    this.lingeringMax =
      this.inAll === undefined ? LINGER_MAX : Math.floor(this.inAll * LINGER_SHARE);
  }

  /** True while the customer server is at its share of the descriptors and drops new connections. */
  get refusingConnections(): boolean {
    return this.full;
  }

  /** Puts the door in front of `server`'s connections and requests; call it once the platform is attached. */
  install(server: Server): void {
    if (this.inAll !== undefined) {
      server.maxConnections = this.inAll;
      server.on('drop', () => this.dropped());
    }
    const platform = server.listeners('connection') as ((socket: Socket) => void)[];
    server.removeAllListeners('connection');
    server.on('connection', (socket: Socket) => {
      if (!this.admit(socket)) return;
      for (const listener of platform) listener.call(server, socket);
    });
    inFrontOfPlatform(server, (request, response, platform) => {
      const address = clientAddressOf(request, this.options.trustedProxies);
      const inProgress = this.requests.get(address) ?? 0;
      if (inProgress >= this.options.perAddress) {
        this.options.count('requests_in_progress');
        return answerFlood(response, TOO_MANY_REQUESTS, { connection: 'close' });
      }
      this.requests.set(address, inProgress + 1);
      onResponseEnd(response, () => decrement(this.requests, address));
      platform();
    });
  }

  private admit(socket: Socket): boolean {
    this.total++;
    const address = canonicalAddress(socket.remoteAddress ?? '');
    const counted = address !== undefined && !this.options.trustedProxies.includes(address);
    const open = counted ? (this.connections.get(address) ?? 0) : 0;
    const admitted = open < this.options.perAddress;
    if (counted && admitted) this.connections.set(address, open + 1);
    socket.once('close', () => {
      this.total--;
      if (counted && admitted) decrement(this.connections, address);
      if (this.full && this.total < (this.inAll ?? 0) * ROOM_AGAIN) this.hasRoomAgain();
    });
    if (!admitted) this.refuse(socket);
    return admitted;
  }

  private refuse(socket: Socket): void {
    this.options.count('per_address');
    socket.on('error', () => undefined);
    if (this.lingering >= this.lingeringMax) return void socket.destroy();
    this.lingering++;
    // What the client sends meanwhile is read and dropped: unread bytes would make the close a reset.
    socket.end(REFUSED_CONNECTION).resume();
    const timer = setTimeout(() => socket.destroy(), LINGER_MS);
    socket.once('close', () => {
      clearTimeout(timer);
      this.lingering--;
    });
  }

  private dropped(): void {
    this.options.count('descriptor_reserve');
    if (this.full) return;
    this.full = true;
    this.options.logger.warn(
      `the customer port refuses new connections: it holds ${this.inAll} (the limit of open files less ${this.options.descriptorReserve} kept for the barista port, health and metrics, FD_RESERVE)`,
    );
  }

  private hasRoomAgain(): void {
    this.full = false;
    this.options.logger.info(`the customer port accepts connections again`);
  }
}

function decrement(counts: Map<string, number>, key: string): void {
  const left = (counts.get(key) ?? 1) - 1;
  if (left > 0) counts.set(key, left);
  else counts.delete(key);
}

/** The soft limit of open files (`ulimit -n`), from /proc/self/limits; undefined where there is none. */
export function openFileLimit(): number | undefined {
  try {
    const line = /^Max open files\s+(\d+|unlimited)/m.exec(
      readFileSync('/proc/self/limits', 'utf8'),
    );
    return line && line[1] !== 'unlimited' ? Number(line[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Descriptors the process holds now (the listing's own is closed again). */
function openDescriptors(): number {
  try {
    return readdirSync('/proc/self/fd').length - 1;
  } catch {
    return 0;
  }
}
