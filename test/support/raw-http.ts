import { connect, type Socket } from 'node:net';

/** What came back on a raw connection: the final answer, if any, and whether the server hung up. */
export interface RawAnswer {
  /** The final status; undefined when the server closed without answering. */
  status?: number;
  /** Interim answers sent before it (100 Continue). */
  interim: number[];
  headers: Record<string, string>;
  // Tests read whatever JSON came back.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  /** The server closed the connection (after the answer, or instead of one). */
  closed: boolean;
}

/**
 * A TCP connection that sends bytes exactly as given, for what an HTTP client library refuses to
 * send: malformed framing, stalled requests, bodies cut short, lines that are not HTTP.
 */
export class RawConnection {
  private received = Buffer.alloc(0);
  private ended = false;
  private readonly waiters = new Set<() => void>();

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk) => {
      this.received = Buffer.concat([this.received, chunk]);
      this.wake();
    });
    // The server may reset a connection whose request it refused unread; that is an ending too.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.ended = true;
      this.wake();
    });
  }

  static open(port: number, localAddress?: string): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port, localAddress }, () =>
        resolve(new RawConnection(socket)),
      );
      socket.once('error', reject);
    });
  }

  /** Sends these bytes; a write the server no longer reads is dropped quietly. */
  write(bytes: string | Buffer): void {
    if (!this.socket.destroyed) this.socket.write(bytes);
  }

  get closed(): boolean {
    return this.ended;
  }

  /** Everything the server sent so far. */
  get text(): string {
    return this.received.toString('latin1');
  }

  /** The first final answer, or what the server sent before it closed; fails after `withinMs`. */
  async answer(withinMs = 5000): Promise<RawAnswer> {
    await this.until(() => this.ended || parseAnswer(this.received, false) !== undefined, withinMs);
    return parseAnswer(this.received, this.ended) as RawAnswer;
  }

  /** Resolves once the server closed the connection; fails after `withinMs`. */
  async closedByServer(withinMs = 5000): Promise<void> {
    await this.until(() => this.ended, withinMs);
  }

  destroy(): void {
    this.socket.destroy();
  }

  private until(done: () => boolean, withinMs: number): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!done()) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`nothing conclusive within ${withinMs} ms: ${this.received.toString()}`));
      }, withinMs);
      this.waiters.add(check);
    });
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

/** Sends `bytes` on a fresh connection (from `localAddress`, if given) and reads the answer. */
export async function rawExchange(
  port: number,
  bytes: string | Buffer,
  withinMs?: number,
  localAddress?: string,
): Promise<RawAnswer> {
  const connection = await RawConnection.open(port, localAddress);
  try {
    connection.write(bytes);
    return await connection.answer(withinMs);
  } finally {
    connection.destroy();
  }
}

/**
 * The first final answer in `bytes`, skipping 1xx; undefined while it is incomplete. Once the
 * connection `ended`, whatever arrived is the answer (node's own refusals carry no length).
 */
function parseAnswer(bytes: Buffer, ended: boolean): RawAnswer | undefined {
  const interim: number[] = [];
  let rest = bytes.toString('latin1');
  for (;;) {
    const headEnd = rest.indexOf('\r\n\r\n');
    if (headEnd < 0) {
      return ended ? { interim, headers: {}, body: undefined, closed: true } : undefined;
    }
    const [statusLine, ...lines] = rest.slice(0, headEnd).split('\r\n');
    const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1]);
    rest = rest.slice(headEnd + 4);
    if (status >= 100 && status < 200) {
      interim.push(status);
      continue;
    }
    const headers = Object.fromEntries(
      lines.map((line) => {
        const colon = line.indexOf(':');
        return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
      }),
    );
    const length = headers['content-length'];
    if (length !== undefined && Buffer.byteLength(rest, 'latin1') < Number(length) && !ended) {
      return undefined;
    }
    if (length === undefined && !ended) return undefined;
    const text = Buffer.from(rest, 'latin1').toString('utf8');
    return { status, interim, headers, body: jsonOrText(text), closed: ended };
  }
}

function jsonOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
