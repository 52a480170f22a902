import { once } from 'node:events';
import { createServer, type Server, type Socket, connect } from 'node:net';

/** One client's connection through the relay and the relay's connection to the server for it. */
interface Link {
  readonly client: Socket;
  upstream?: Socket;
  /** Carries bytes both ways; a link that stopped never carries any again. */
  forwarding: boolean;
}

/**
 * A TCP relay to a server (the shared PostgreSQL, a Redis) that a test can break as a network
 * does, on the same port, so that only the connections through it suffer and other users of
 * the server are untouched:
 * - `cut` drops every connection (the client hears it at once) and refuses new ones, until `restore`;
 * - `blackHole` stops carrying bytes in both directions and keeps every socket open (no FIN, no
 *   RST: a dead cable, a NAT that forgot the flow); new connections are accepted and hear nothing;
 * - `heal` carries new connections again, and leaves the old ones half-open: the server side is
 *   closed (the server gave up), the client side stays open and silent forever.
 */
export class TcpProxy {
  private readonly links = new Set<Link>();
  private server?: Server;
  private blackHoled = false;
  port = 0;

  private constructor(private readonly target: URL) {}

  /** Listens on a free port of 127.0.0.1 and relays each connection to `target` (port 5432 if none). */
  static async start(target: URL): Promise<TcpProxy> {
    const proxy = new TcpProxy(target);
    await proxy.restore();
    return proxy;
  }

  /** `url` with its host and port replaced by the proxy's. */
  through(url: string): string {
    const proxied = new URL(url);
    proxied.host = `127.0.0.1:${this.port}`;
    return proxied.toString();
  }

  /** Connections open through the relay right now, carrying or not. */
  get connections(): number {
    return this.links.size;
  }

  /** Listens again on the same port. */
  async restore(): Promise<void> {
    const server = createServer((client) => this.accept(client));
    server.listen(this.port, '127.0.0.1');
    await once(server, 'listening');
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  /** Drops every relayed connection and refuses new ones until `restore`. */
  async cut(): Promise<void> {
    for (const link of this.links) this.drop(link);
    await new Promise((resolve) => this.server?.close(resolve));
  }

  /** Stops carrying bytes, both ways, on every connection, old and new; closes nothing. */
  blackHole(): void {
    this.blackHoled = true;
    for (const link of this.links) link.forwarding = false;
  }

  /**
   * New connections are carried again; the old ones stay dead: the server's side is closed,
   * the client's left open, so only a client that checks its sessions finds out.
   */
  heal(): void {
    this.blackHoled = false;
    for (const link of this.links) {
      if (link.forwarding) continue;
      link.upstream?.destroy();
      link.upstream = undefined;
    }
  }

  private accept(client: Socket): void {
    const link: Link = { client, forwarding: !this.blackHoled };
    this.links.add(link);
    client.on('error', () => undefined);
    client.on('close', () => this.drop(link));
    // Read always, so that a black hole swallows bytes instead of pushing back on the sender.
    client.on('data', (bytes) => {
      if (link.forwarding) link.upstream?.write(bytes);
    });
    if (!link.forwarding) return; // accepted, then silence: the client's deadline must notice
    const upstream = connect(Number(this.target.port || 5432), this.target.hostname);
    link.upstream = upstream;
    upstream.on('error', () => undefined);
    upstream.on('data', (bytes) => {
      if (link.forwarding) client.write(bytes);
    });
    upstream.on('close', () => {
      // The server closed it: while carrying, the client hears that; a dead link tells nothing.
      if (link.forwarding) client.destroy();
    });
    // Bytes the client sent before the server's side connected are buffered by the socket.
  }

  private drop(link: Link): void {
    this.links.delete(link);
    link.client.destroy();
    link.upstream?.destroy();
  }
}
