import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { logRequests, requestLineFields, TrustedProxies } from '@cafe/http';
import {
  EventLog,
  type EventListener,
  type EventStore,
  InfoLines,
  InMemoryEventStore,
  OrderCancelled,
  type OrderEvent,
  OrderFinished,
  OrderPlaced,
  OrderReattached,
  OrderRequeued,
  OrderStarted,
} from '@cafe/ordering';
import type { Logger } from 'pino';
import { createLogger } from './logger';
import { captureLog } from '../../../test/support/log-capture';

/**
 * The request and event lines are built by hand (InfoLines) rather than by pino: for every
 * input, each must be byte for byte the line pino writes for the same fields on the café's own
 * logger (createLogger), so that nothing reading the logs can tell.
 */

const NOW = Date.parse('2026-12-03T14:20:00.123Z');

/** Runs `write` with the clock stopped at `time` (pino's time function reads Date.now). */
function at<T>(time: number, write: () => T): T {
  const now = jest.spyOn(Date, 'now').mockReturnValue(time);
  try {
    return write();
  } finally {
    now.mockRestore();
  }
}

/** Turns of the event loop until `text` holds `count` lines; fails rather than spinning on. */
async function linesWritten(text: string[], count: number): Promise<void> {
  for (let turn = 0; text.length < count; turn++) {
    if (turn > 100_000) throw new Error(`${text.length} lines written, not ${count}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** The café's logger in JSON at `info`, into an array: one element per line written. */
function jsonLogger(): { logger: Logger; text: string[] } {
  const { text, stream } = captureLog();
  return { logger: createLogger({ logLevel: 'info', logFormat: 'json' }, stream), text };
}

/**
 * Expects `line` to be, byte for byte, what pino writes for `fields` and `msg` on the café's
 * logger (a child with `bindings`), at the time the line says.
 */
function expectPinosLine(
  line: string,
  bindings: Record<string, string>,
  fields: object,
  msg: string,
): void {
  const { logger, text } = jsonLogger();
  const bound = Object.keys(bindings).length > 0 ? logger.child(bindings) : logger;
  at(Date.parse(JSON.parse(line).time), () => bound.info(fields, msg));
  expect(text).toHaveLength(1);
  expect(JSON.parse(line)).toEqual(JSON.parse(text[0]));
  expect(line).toBe(text[0]);
}

/** Strings a client controls (a path, an Idempotency-Key, an address) can hold anything. */
const ODD_STRINGS = [
  '/order/',
  '',
  '/a"b"',
  '/back\\slash\\',
  '/"\\"\\\\"',
  '/ünïcødé/☕/😀/中文',
  '/\u0000\u0001\u0008\u0009\u000a\u000c\u000d\u001b\u001f',
  '/del\u007f/c1\u0085\u009f',
  '/\u2028\u2029',
  '/lone\ud800/surrogates\udfff/\udbff\udc00',
  '/%22%5C%00?',
  `/${'x'.repeat(99)}`,
  `/${'"'.repeat(101)}`,
  `/${'é\\"'.repeat(5_000)}`,
];

describe('a request line built by hand', () => {
  it.each(ODD_STRINGS.map((text) => [JSON.stringify(text).slice(0, 40), text]))(
    'is what pino writes, with a path of %s',
    (_, path) => {
      const { logger, text } = jsonLogger();
      const lines = new InfoLines(logger);
      const requestId = '0b8f5c1e-8d7a-4f7e-9a63-1c2d3e4f5a6b';
      const req = { method: path, path, client_address: path };
      for (const [status, msg] of [
        [200, 'request completed'],
        [499, 'request aborted'],
      ] as const) {
        text.length = 0;
        lines.write(requestLineFields(requestId, req, status, 12), msg);
        expect(text).toHaveLength(1);
        const fields = { request_id: requestId, req, res: { status }, duration_ms: 12 };
        expectPinosLine(text[0], {}, fields, msg);
        expect(JSON.parse(text[0]).req.path).toBe(path);
      }
    },
  );

  it('is what pino writes for absent method and path and for any status and duration', () => {
    const { logger, text } = jsonLogger();
    const lines = new InfoLines(logger);
    const req = { method: undefined, path: undefined, client_address: '::ffff:10.0.0.1' };
    for (const [status, duration] of [
      [0, -0],
      [100, 0],
      [599, 2 ** 31],
      [200, Number.MAX_SAFE_INTEGER],
    ]) {
      text.length = 0;
      lines.write(requestLineFields('id', req, status, duration), 'request completed');
      const fields = { request_id: 'id', req, res: { status }, duration_ms: duration };
      expectPinosLine(text[0], {}, fields, 'request completed');
    }
  });

  /** A request sent as written, on a connection of its own; hung up on once `hangUp` resolves. */
  async function send(server: Server, head: string, hangUp?: Promise<void>): Promise<void> {
    const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
    socket.resume();
    socket.end(head);
    if (hangUp) await hangUp.then(() => socket.destroy());
    await once(socket, 'close');
  }

  it("is what pino writes for the fields of every request logRequests sees, as node's server gives them", async () => {
    const { logger, text } = jsonLogger();
    let unanswered: () => void = () => {};
    const waiting = new Promise<void>((resolve) => (unanswered = resolve));
    const server = createServer((request, response) => {
      if (request.url?.startsWith('/never')) return unanswered(); // the client hangs up
      response.statusCode = request.url?.startsWith('/missing') ? 404 : 200;
      response.end('{}');
    });
    logRequests(server, logger, TrustedProxies.none);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    // Node's parser refuses control characters and bytes above 0x7f in a path before any
    // 'request': those reach a line only through the writer, tested above.
    const sent = [
      ['POST', '/order/?drink=americano', '/order/'],
      ['GET', '/missing/a"b\\c', '/missing/a"b\\c'],
      ['DELETE', '/%22%5C%00', '/%22%5C%00'],
      ['GET', `/${'x"\\'.repeat(2_000)}?${'q'.repeat(100)}`, `/${'x"\\'.repeat(2_000)}`],
    ];
    try {
      for (const [method, target] of sent) {
        await send(
          server,
          `${method} ${target} HTTP/1.1\r\nHost: cafe\r\nConnection: close\r\n\r\n`,
        );
      }
      await send(server, 'GET /never HTTP/1.1\r\nHost: cafe\r\n\r\n', waiting);
      await linesWritten(text, sent.length + 1);
    } finally {
      server.close();
    }

    const expected = [
      ...sent.map(([method, target, path]) => ({
        method,
        path,
        status: target.startsWith('/missing') ? 404 : 200,
        msg: 'request completed',
      })),
      { method: 'GET', path: '/never', status: 200, msg: 'request aborted' },
    ];
    expect(text).toHaveLength(expected.length);
    text.forEach((line, i) => {
      const { request_id, duration_ms } = JSON.parse(line);
      const { method, path, status, msg } = expected[i];
      // The object the request log gave pino, in its order, with the values only the line knows.
      const fields = {
        request_id,
        req: { method, path, client_address: '127.0.0.1' },
        res: { status },
        duration_ms,
      };
      expectPinosLine(line, {}, fields, msg);
    });
  });
});

describe('an event line built by hand', () => {
  const odd = ODD_STRINGS[5] + ODD_STRINGS[6];
  const other = ODD_STRINGS[9];
  /** Every event type (the compiler asks for a new one), with every field it can carry. */
  const EVERY_EVENT: Record<OrderEvent['type'], readonly OrderEvent[]> = {
    OrderPlaced: [
      new OrderPlaced('o-1', 'americano', '127.0.4.2', NOW),
      new OrderPlaced(
        'o-2',
        'americano',
        '2001:db8::1',
        NOW + 1,
        { key: odd, fingerprint: 'f' },
        'i-1',
      ),
    ],
    OrderStarted: [new OrderStarted('o-1', NOW + 2), new OrderStarted('o-2', NOW + 3, odd)],
    OrderRequeued: [new OrderRequeued('o-2', NOW + 4)],
    OrderReattached: [new OrderReattached('o-2', other, NOW + 5)],
    OrderFinished: [new OrderFinished('o-1', NOW + 6), new OrderFinished('o-2', NOW + 7, other)],
    OrderCancelled: [
      new OrderCancelled('o-3', 'customer_left', NOW + 8),
      new OrderCancelled('o-4', 'flood', NOW + 9),
      new OrderCancelled('o-5', 'holder_died', NOW + 10),
      new OrderCancelled('o-6', 'not_reattached', 1),
      // Ids are the café's UUIDs; read back from a damaged log they could be anything else.
      new OrderCancelled('o-"\\é☕😀', 'flood', NOW + 11),
      new OrderCancelled(`o-\u0001"${'\\'.repeat(120)}`, 'flood', NOW + 12),
    ],
  };
  const events = Object.values(EVERY_EVENT).flat();

  it('is what pino writes for every event type and its data, from EventLog', async () => {
    const { logger, text } = jsonLogger();
    const store = new InMemoryEventStore([]);
    new EventLog(store, logger);
    for (const [i, event] of events.entries()) await store.append(`s-${i}`, [event], 0);

    expect(text).toHaveLength(events.length);
    events.forEach(({ type, orderId, at, ...data }, i) => {
      const fields = {
        position: i + 1,
        type,
        order_id: orderId,
        at: new Date(at).toISOString(),
        data,
      };
      expectPinosLine(text[i], { context: 'events' }, fields, 'event');
    });
  });

  it('builds nothing at warn: the event is not even read', () => {
    let listener: EventListener = () => {};
    const store = { subscribe: (given: EventListener) => (listener = given) };
    const { text, stream } = captureLog();
    new EventLog(
      store as unknown as EventStore,
      createLogger({ logLevel: 'warn', logFormat: 'json' }, stream),
    );
    const refuse = () => {
      throw new Error('the event was read at warn');
    };
    const untouchable = new Proxy(events[0], { get: refuse, ownKeys: refuse });
    listener([{ position: 1, stream: 's', version: 1, event: untouchable }]);
    expect(text).toEqual([]);
  });
});

describe('with LOG_FORMAT=pretty', () => {
  it('prints a hand-built line as it prints the line pino writes', async () => {
    const { text, stream } = captureLog();
    const logger = createLogger({ logLevel: 'info', logFormat: 'pretty' }, stream);
    const req = { method: 'GET', path: ODD_STRINGS[2], client_address: '127.0.0.1' };
    at(NOW, () => {
      new InfoLines(logger).write(requestLineFields('id', req, 200, 3), 'request completed');
      logger.info(
        { request_id: 'id', req, res: { status: 200 }, duration_ms: 3 },
        'request completed',
      );
    });
    await linesWritten(text, 2);
    expect(text[0]).toMatch(/INFO.*request completed/);
    expect(text[0]).toContain('request_id: "id"');
    expect(text[0]).toBe(text[1]);
  });
});
