import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { HTTP_ADAPTERS, TestCafe } from './support/cafe-harness';
import { CafeProcess } from './support/cafe-process';
import { call, eventually, type HttpAnswer } from './support/http-client';
import { RawConnection } from './support/raw-http';

jest.setTimeout(60_000);

/** Generous: what must happen may take long on a loaded machine. */
const DEADLINE_MS = 20_000;

/** Small enough to reach in a test: a few hundred sockets exhaust it. */
const OPEN_FILE_LIMIT = 256;

/** Idle TCP connections from `address`, as a flooder holds them; resolves once each connected or was refused. */
async function idleSockets(port: number, addresses: string[]): Promise<Socket[]> {
  return Promise.all(
    addresses.map(
      (localAddress) =>
        new Promise<Socket>((resolve) => {
          const socket = connect({ host: '127.0.0.1', port, localAddress });
          // Read, as a client does: a refusal's answer is read to its end, then the socket closes.
          socket.on('error', () => undefined).resume();
          socket.once('connect', () => resolve(socket));
          socket.once('close', () => resolve(socket));
        }),
    ),
  );
}

async function doorRefusals(cafe: CafeProcess, reason: string): Promise<number> {
  const { body } = await cafe.barista('GET', '/metrics');
  const line = new RegExp(`^cafe_door_refusals_total\\{reason="${reason}"\\} (\\d+)$`, 'm');
  return Number(line.exec(body)?.[1] ?? 0);
}

/** A regular orders from its own address and a barista serves it on the other port. */
async function serveRegular(cafe: CafeProcess): Promise<HttpAnswer> {
  const reply = call(cafe.customerPort, 'POST', '/order/', { localAddress: '127.0.3.3' });
  let started: HttpAnswer;
  while ((started = await cafe.barista('GET', '/start/')).status === 404) await sleep(20);
  expect(started.status).toBe(200);
  await cafe.barista('POST', `/finish/?order_id=${started.body.order_id}`);
  return reply;
}

describe.each(HTTP_ADAPTERS)(`the door under ulimit -n ${OPEN_FILE_LIMIT} on %s`, (adapter) => {
  let cafe: CafeProcess;
  let sockets: Socket[] = [];
  beforeEach(async () => {
    cafe = await CafeProcess.startCafe(
      {
        HTTP_ADAPTER: adapter,
        FD_RESERVE: '64',
        MAX_WAITING_PER_ADDRESS: '40',
        MAX_CONNECTIONS_PER_ADDRESS: '50',
      },
      OPEN_FILE_LIMIT,
    );
  });
  afterEach(async () => {
    for (const socket of sockets) socket.destroy();
    sockets = [];
    await cafe.stop();
  });

  it('holds one address to its connections: the next get 429 and are closed; a regular and a barista are served', async () => {
    sockets = await idleSockets(
      cafe.customerPort,
      Array.from({ length: 400 }, () => '127.0.66.6'),
    );
    await eventually(
      () => sockets.filter((socket) => socket.destroyed).length === 350,
      DEADLINE_MS,
    );
    // Once the flood's refusals are over, the next is answered before it is closed.
    const refused = await RawConnection.open(cafe.customerPort, '127.0.66.6');
    expect(await refused.answer()).toMatchObject({
      status: 429,
      headers: { 'retry-after': '5', connection: 'close' },
      body: { statusCode: 429, error: 'Too Many Requests', message: expect.any(String) },
    });
    await refused.closedByServer();
    expect(await doorRefusals(cafe, 'per_address')).toBe(351);

    expect((await serveRegular(cafe)).status).toBe(200);
    expect((await cafe.barista('GET', '/health')).status).toBe(200);
    expect(await doorRefusals(cafe, 'descriptor_reserve')).toBe(0);
  });

  it('keeps descriptors for the barista port when many addresses fill the customer port, says so once, and recovers', async () => {
    // 40 addresses, 10 connections each: none over its limit, together over the process's.
    sockets = await idleSockets(
      cafe.customerPort,
      Array.from({ length: 400 }, (_, i) => `127.0.${70 + Math.floor(i / 10)}.1`),
    );
    await cafe.said('the customer port refuses new connections', DEADLINE_MS);
    expect((await cafe.barista('GET', '/queue')).status).toBe(200);
    const health = await cafe.barista('GET', '/health');
    expect(health.status).toBe(503);
    expect(health.body.message).toEqual([expect.stringMatching(/^customer_port: refusing/)]);
    expect(await doorRefusals(cafe, 'descriptor_reserve')).toBeGreaterThan(0);
    // More connections refused, still one line.
    sockets.push(...(await idleSockets(cafe.customerPort, ['127.0.99.1', '127.0.99.2'])));
    expect(cafe.log.split('the customer port refuses new connections').length).toBe(2);

    for (const socket of sockets) socket.destroy();
    await cafe.said('the customer port accepts connections again', DEADLINE_MS);
    expect((await cafe.barista('GET', '/health')).status).toBe(200);
    expect((await serveRegular(cafe)).status).toBe(200);
  });
});

describe.each(HTTP_ADAPTERS)('requests in progress per address on %s', (adapter) => {
  let cafe: TestCafe;
  beforeEach(
    async () =>
      (cafe = await TestCafe.start(adapter, {
        TRUSTED_PROXIES: '127.0.0.1',
        MAX_WAITING_PER_ADDRESS: '5',
        MAX_CONNECTIONS_PER_ADDRESS: '5',
      })),
  );
  afterEach(() => cafe.close());

  const via = (address: string) => ({ headers: { 'x-forwarded-for': address } });

  it('are limited per client behind a proxy: a held poll past its held orders is 429, another client is served', async () => {
    const held = [];
    for (let i = 0; i < 5; i++) held.push((await cafe.order(via('203.0.113.9'))).reply);
    const id = (await cafe.barista('GET', '/start/')).body.order_id;
    const poll = await cafe.customer('GET', `/orders/${id}?wait=60`, via('203.0.113.9'));
    expect(poll.status).toBe(429);
    expect(poll.body.message).toMatch(/in progress/);
    expect(poll.headers['retry-after']).toBe('5');

    const other = cafe.customer('GET', `/orders/${id}?wait=60`, via('203.0.113.10'));
    await cafe.barista('POST', `/finish/?order_id=${id}`);
    expect((await other).status).toBe(200);
    expect((await held[0]).status).toBe(200);
  });

  it('are limited when pipelined on one connection', async () => {
    const placed = await cafe.customer('POST', '/order/', { headers: { prefer: 'respond-async' } });
    const connection = await RawConnection.open(cafe.port('customer'), '127.0.5.5');
    const poll = `GET /orders/${placed.body.order_id}?wait=60 HTTP/1.1\r\nHost: localhost\r\n\r\n`;
    connection.write(poll.repeat(6));
    await eventually(
      async () =>
        /^cafe_door_refusals_total\{reason="requests_in_progress"\} 1$/m.test(
          (await cafe.barista('GET', '/metrics')).body,
        ),
      DEADLINE_MS,
    );
    connection.destroy();
  });
});
