/**
 * The machine's ceiling for scenarios 1 and 6: the same three requests on bare `node:http` with
 * a plain array queue, no framework, no events, no validation. Run as its own process so its
 * CPU time can be read from /proc like the service's. Ports from CUSTOMER_PORT/BARISTA_PORT.
 * For scenario 7 it is the refuser that costs nothing: the customer port closes every connection
 * from REFUSED_ADDRESSES (comma-separated) as soon as it is accepted, before reading a byte.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

interface Waiting {
  id: string;
  customer: ServerResponse;
}

const queue: Waiting[] = [];
const brewing = new Map<string, Waiting>();

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function route(req: IncomingMessage): { path: string; query: URLSearchParams } {
  const url = new URL(req.url ?? '/', 'http://bare');
  return { path: url.pathname.replace(/\/$/, ''), query: url.searchParams };
}

const customers = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    if (req.method !== 'POST' || route(req).path !== '/order') return reply(res, 404, {});
    queue.push({ id: randomUUID(), customer: res });
  });
});

const baristas = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const { path, query } = route(req);
    if (req.method === 'GET' && path === '/start') {
      const next = queue.shift();
      if (!next) return reply(res, 404, { message: 'no order is waiting' });
      brewing.set(next.id, next);
      return reply(res, 200, { order_id: next.id, status: 'brewing' });
    }
    if (req.method === 'POST' && path === '/finish') {
      const id = query.get('order_id') ?? '';
      const order = brewing.get(id);
      if (!order) return reply(res, 404, { message: `order ${id} is not brewing` });
      brewing.delete(id);
      reply(order.customer, 200, { order_id: id, status: 'ready' });
      return reply(res, 200, { order_id: id, status: 'ready' });
    }
    if (req.method === 'GET' && path === '/queue') {
      return reply(res, 200, { queued: queue.length, brewing: brewing.size });
    }
    reply(res, 404, {});
  });
});

const refused = new Set((process.env.REFUSED_ADDRESSES ?? '').split(',').filter(Boolean));
if (refused.size > 0) {
  customers.on('connection', (socket: Socket) => {
    if (refused.has(socket.remoteAddress ?? '')) socket.destroy();
  });
}

customers.listen(Number(process.env.CUSTOMER_PORT), process.env.HOST ?? '127.0.0.1');
baristas.listen(Number(process.env.BARISTA_PORT), process.env.HOST ?? '127.0.0.1');
process.once('SIGTERM', () => process.exit(0));
