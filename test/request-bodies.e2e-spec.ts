import { HTTP_ADAPTERS, type Side, TestCafe } from './support/cafe-harness';
import { eventually } from './support/http-client';
import { RawConnection, rawExchange } from './support/raw-http';

/** A request as bytes; `Content-Length` is the body's unless `headers` set it or `Transfer-Encoding`. */
function requestBytes(
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body = '',
): string {
  const names = Object.keys(headers).map((name) => name.toLowerCase());
  const framed = names.includes('content-length') || names.includes('transfer-encoding');
  const all = framed ? headers : { ...headers, 'Content-Length': String(Buffer.byteLength(body)) };
  const lines = Object.entries(all).map(([name, value]) => `${name}: ${value}\r\n`);
  return `${method} ${path} HTTP/1.1\r\nHost: localhost\r\n${lines.join('')}\r\n${body}`;
}

const JSON_TYPE = { 'Content-Type': 'application/json' };
/** `{"drink":"aaa…"}`, `bytes` long. */
const drinkOfLength = (bytes: number) => `{"drink":"${'a'.repeat(bytes - 12)}"}`;
const TEXT = { 'Content-Type': 'text/plain' };

describe.each(HTTP_ADAPTERS)('request bodies on %s', (adapter) => {
  let cafe: TestCafe;
  beforeEach(async () => (cafe = await TestCafe.start(adapter)));
  afterEach(() => cafe.close());

  /** The refusal is the filter's JSON, no order was placed, and a regular is still served. */
  async function expectRefused(answer: { status?: number; body: unknown }, status: number) {
    expect(answer.status).toBe(status);
    expect(answer.body).toEqual({
      statusCode: status,
      error: expect.any(String),
      message: expect.anything(),
    });
    expect(await cafe.placed()).toBe(0);
    expect((await cafe.serveRegular()).status).toBe(200);
  }

  const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };
  const BIG = 'a'.repeat(2_000_000);
  // [case, headers, body, status, target (default: the customer's POST /order/)]
  it.each<[string, Record<string, string>, string, number, string?]>([
    ['text/plain of 2 MB', TEXT, BIG, 413],
    ['text/plain of 40 KB', TEXT, 'a'.repeat(40_000), 413],
    ['JSON of 16 KB and a byte', JSON_TYPE, drinkOfLength(16 * 1024 + 1), 413],
    ['JSON of 16 KB naming another drink', JSON_TYPE, drinkOfLength(16 * 1024), 422],
    ['XML', { 'Content-Type': 'application/xml' }, '<drink>americano</drink>', 415],
    ['a form', FORM, 'drink=latte', 415, 'customer POST /order'],
    ['text/plain', TEXT, '{"drink":"americano"}', 415],
    ['no Content-Type', {}, '{"drink":"americano"}', 415],
    ['JSON in Latin-1', { 'Content-Type': 'application/json; charset=iso-8859-1' }, '{}', 415],
    ['gzipped JSON', { ...JSON_TYPE, 'Content-Encoding': 'gzip' }, '{}', 415],
    ['a body on a route that takes none', JSON_TYPE, '{}', 415, 'customer GET /orders/x'],
    ['a form to /finish/', FORM, 'order_id=x', 415, 'barista POST /finish/'],
    ['a body to GET /queue', JSON_TYPE, '{"a":1}', 415, 'barista GET /queue'],
    ['a body to GET /start/', JSON_TYPE, '{}', 415, 'barista GET /start/'],
    ['a large body to GET /start/', TEXT, BIG, 413, 'barista GET /start/'],
    ['malformed JSON', JSON_TYPE, '{"drink":', 400],
    ['a __proto__ key', JSON_TYPE, '{"__proto__":{"x":1}}', 422],
    ['a constructor key', JSON_TYPE, '{"constructor":{"x":1}}', 422],
    ['a toString key', JSON_TYPE, '{"toString":1}', 422],
    ['a nested __proto__ key', JSON_TYPE, '{"drink":{"__proto__":{"x":1}}}', 422],
    ['an escaped __proto__ key', JSON_TYPE, '{"\\u005f_proto__":{"x":1}}', 422],
    ['null', JSON_TYPE, 'null', 422],
    ['an array', JSON_TYPE, '[]', 422],
    ['a number', JSON_TYPE, '42', 422],
    ['a string', JSON_TYPE, '"americano"', 422],
    [
      'a __proto__ key to /finish/',
      JSON_TYPE,
      '{"__proto__":{"order_id":"x"}}',
      422,
      'barista POST /finish/',
    ],
    ['a non-object to /finish/', JSON_TYPE, 'true', 422, 'barista POST /finish/'],
  ])('refuses %s at once', async (_, headers, body, status, target = 'customer POST /order/') => {
    const [side, method, path] = target.split(' ') as [Side, string, string];
    const answer = await rawExchange(cafe.port(side), requestBytes(method, path, headers, body));
    await expectRefused(answer, status);
  });

  it('answers 413 to a long Content-Length before the body is sent, and closes the connection', async () => {
    const connection = await RawConnection.open(cafe.cafe.customerPort);
    connection.write(
      requestBytes('POST', '/order/', { ...JSON_TYPE, 'Content-Length': '2000000' }, '{"drink":'),
    );
    const answer = await connection.answer();
    await connection.closedByServer();
    await expectRefused(answer, 413);
  });

  it('answers 413 as soon as a chunked body passes 16 KB, without waiting for the rest', async () => {
    const connection = await RawConnection.open(cafe.cafe.customerPort);
    const chunk = 'a'.repeat(17 * 1024);
    connection.write(
      requestBytes('POST', '/order/', { ...JSON_TYPE, 'Transfer-Encoding': 'chunked' }) +
        `${chunk.length.toString(16)}\r\n${chunk}\r\n`,
    );
    const answer = await connection.answer();
    await connection.closedByServer();
    await expectRefused(answer, 413);
  });

  it('refuses a body it will not take without inviting it with 100 Continue', async () => {
    const connection = await RawConnection.open(cafe.cafe.customerPort);
    connection.write(
      requestBytes('POST', '/order/', { ...TEXT, Expect: '100-continue', 'Content-Length': '20' }),
    );
    const answer = await connection.answer();
    expect(answer.interim).toEqual([]);
    await connection.closedByServer();
    await expectRefused(answer, 415);
  });

  it('invites a body it takes with 100 Continue, then places the order', async () => {
    const connection = await RawConnection.open(cafe.cafe.customerPort);
    const body = '{"drink":"americano"}';
    connection.write(
      requestBytes('POST', '/order/', {
        ...JSON_TYPE,
        Expect: '100-continue',
        'Content-Length': String(body.length),
      }),
    );
    await eventually(() => connection.text.includes('HTTP/1.1 100 Continue'));
    expect(await cafe.placed()).toBe(0);
    connection.write(body);
    await eventually(async () => (await cafe.queued()) === 1);
    const started = await cafe.barista('GET', '/start/');
    await cafe.barista('POST', `/finish/?order_id=${started.body.order_id}`);
    const answer = await connection.answer();
    expect(answer).toMatchObject({
      status: 200,
      interim: [100],
      body: { drink: 'americano', status: 'ready' },
    });
    connection.destroy();
  });

  it('places no order while part of its body is unsent, and one once it is complete', async () => {
    const connection = await RawConnection.open(cafe.cafe.customerPort);
    const body = '{"drink":"americano"}';
    connection.write(
      requestBytes(
        'POST',
        '/order/',
        { ...JSON_TYPE, 'Content-Length': String(body.length) },
        body.slice(0, 9),
      ),
    );
    // A full round trip on the same app after the first half arrived.
    expect((await cafe.customer('GET', '/health/live')).status).toBe(200);
    expect(await cafe.placed()).toBe(0);
    connection.write(body.slice(9));
    await eventually(async () => (await cafe.queued()) === 1);
    const started = await cafe.barista('GET', '/start/');
    await cafe.barista('POST', `/finish/?order_id=${started.body.order_id}`);
    expect((await connection.answer()).status).toBe(200);
    connection.destroy();
  });

  it.each([
    ['no body', requestBytes('POST', '/order/')],
    ['an empty JSON body', requestBytes('POST', '/order/', JSON_TYPE)],
    [
      'JSON in UTF-8',
      requestBytes(
        'POST',
        '/order/',
        { 'Content-Type': 'Application/JSON; Charset="UTF-8"' },
        '{"drink":"americano"}',
      ),
    ],
    [
      'a chunked JSON body',
      requestBytes('POST', '/order/', { ...JSON_TYPE, 'Transfer-Encoding': 'chunked' }) +
        '9\r\n{"drink":\r\nc\r\n"americano"}\r\n0\r\n\r\n',
    ],
  ])('takes an order with %s', async (_, bytes) => {
    const connection = await RawConnection.open(cafe.cafe.customerPort);
    connection.write(bytes);
    await eventually(async () => (await cafe.queued()) === 1);
    const started = await cafe.barista('GET', '/start/');
    expect(started.body.drink).toBe('americano');
    await cafe.barista('POST', `/finish/?order_id=${started.body.order_id}`);
    expect((await connection.answer()).status).toBe(200);
    connection.destroy();
  });

  it('finishes an order named in a JSON body', async () => {
    const { reply } = await cafe.order();
    const started = await cafe.barista('GET', '/start/');
    const finished = await rawExchange(
      cafe.cafe.baristaPort,
      requestBytes(
        'POST',
        '/finish',
        JSON_TYPE,
        JSON.stringify({ order_id: started.body.order_id }),
      ),
    );
    expect(finished.status).toBe(200);
    expect((await reply).status).toBe(200);
  });
});
