import { startCafe } from '../apps/cafe/src/cafe';
import { loadConfig } from '../apps/cafe/src/config';
import { createLogger } from '../apps/cafe/src/logger';
import { HTTP_ADAPTERS, TestCafe } from './support/cafe-harness';
import { call, eventually } from './support/http-client';
import { captureLog } from './support/log-capture';
import { SseClient } from './support/sse-client';

const ANA = 'ana-token-0123456789abcdef';
const BEN = 'ben-token-fedcba9876543210';
const TOKENS = { BARISTA_TOKENS: `ana:${ANA},ben:${BEN}` };
const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

/** Every route of the barista app that reads or changes orders. */
const GUARDED: Array<[string, string]> = [
  ['GET', '/start/'],
  ['POST', '/finish/?order_id=x'],
  ['GET', '/queue'],
  ['GET', '/events'],
  ['GET', '/events/stream'],
  ['GET', '/board/state'],
];

/** Probes, metrics, the API documents and the pages' files: nothing in them names an order. */
const OPEN = [
  '/health',
  '/health/live',
  '/metrics',
  '/docs',
  '/docs-json',
  '/',
  '/board.js',
  '/station',
  '/station.js',
  '/staff-session.js',
];

describe.each(HTTP_ADAPTERS)('staff access to the barista app on %s', (adapter) => {
  describe('with BARISTA_TOKENS', () => {
    let cafe: TestCafe;
    beforeEach(async () => (cafe = await TestCafe.start(adapter, TOKENS)));
    afterEach(() => cafe.close());

    it.each(GUARDED)(
      'refuses %s %s without a token: 401, WWW-Authenticate: Bearer',
      async (method, path) => {
        const answer = await cafe.barista(method, path);
        expect(answer.status).toBe(401);
        expect(answer.headers['www-authenticate']).toBe('Bearer');
        expect(answer.body).toEqual({
          statusCode: 401,
          error: 'Unauthorized',
          message: 'a barista token is required: Authorization: Bearer <token>',
        });
      },
    );

    it.each([
      ['a wrong token', `Bearer ${ANA}x`],
      ['a token cut short', `Bearer ${ANA.slice(0, -1)}`],
      ['another scheme', `Basic ${Buffer.from(`ana:${ANA}`).toString('base64')}`],
      ['no token after the scheme', 'Bearer '],
      ['the token without a scheme', ANA],
      ['two tokens', `Bearer ${ANA} ${BEN}`],
    ])('refuses %s', async (_, authorization) => {
      const answer = await cafe.barista('GET', '/start/', { headers: { authorization } });
      expect(answer.status).toBe(401);
      expect(answer.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(answer.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
      expect(JSON.stringify(answer)).not.toContain(ANA.slice(4));
    });

    it('says invalid_token when a token was presented but is unknown', async () => {
      const answer = await cafe.barista('GET', '/queue', bearer(`${BEN}0`));
      expect(answer.headers['www-authenticate']).toBe(
        'Bearer error="invalid_token", error_description="unknown token"',
      );
      expect(answer.body.message).toBe('this barista token is not valid');
    });

    it.each(OPEN)('serves %s to anyone', async (path) => {
      expect((await cafe.barista('GET', path)).status).toBe(200);
    });

    it('takes nothing from the queue for a refused request', async () => {
      const { reply } = await cafe.signIn(ANA).order();
      expect((await cafe.barista('GET', '/start/', bearer('not-a-token-at-all'))).status).toBe(401);
      expect(await cafe.queued()).toBe(1);
      const started = await cafe.barista('GET', '/start/');
      await cafe.barista('POST', `/finish/?order_id=${started.body.order_id}`);
      expect((await reply).status).toBe(200);
    });

    it('records who started and who finished an order: answers, events, board, customer', async () => {
      const { reply } = await cafe.signIn(ANA).order();
      const started = await cafe.barista('GET', '/start/');
      expect(started.status).toBe(200);
      expect(started.body).toMatchObject({ status: 'brewing', barista: 'ana' });
      const id = started.body.order_id;
      expect((await cafe.barista('GET', '/board/state')).body.orders[0]).toMatchObject({
        order_id: id,
        barista: 'ana',
      });

      const finished = await cafe.barista('POST', `/finish/?order_id=${id}`, bearer(BEN));
      expect(finished.body).toMatchObject({ status: 'ready', barista: 'ana', finished_by: 'ben' });
      expect((await reply).body).toMatchObject({
        order_id: id,
        barista: 'ana',
        finished_by: 'ben',
      });

      const { events } = (await cafe.barista('GET', '/events')).body;
      expect(events.map((e: { type: string; data: unknown }) => [e.type, e.data])).toEqual([
        ['OrderPlaced', expect.any(Object)],
        ['OrderStarted', { barista: 'ana' }],
        ['OrderFinished', { barista: 'ben' }],
      ]);
    });

    it('streams events only to a barista with a token', async () => {
      const refused = await SseClient.open(cafe.cafe.baristaPort, '/events/stream');
      expect(refused.response.statusCode).toBe(401);
      refused.close();
      const stream = await SseClient.open(cafe.cafe.baristaPort, '/events/stream', {
        authorization: `Bearer ${BEN}`,
      });
      expect(stream.response.statusCode).toBe(200);
      await cafe.signIn(BEN).order();
      await cafe.barista('GET', '/start/');
      const [, started] = await stream.received(2);
      expect(started).toMatchObject({ event: 'OrderStarted', data: { data: { barista: 'ben' } } });
      stream.close();
    });
  });

  describe('without BARISTA_TOKENS', () => {
    it('is open, as the reference clients expect, and names no barista', async () => {
      const cafe = await TestCafe.start(adapter);
      try {
        const { reply } = await cafe.order();
        const started = await cafe.barista('GET', '/start/');
        expect(started.status).toBe(200);
        expect(started.body).not.toHaveProperty('barista');
        await cafe.barista('POST', `/finish/?order_id=${started.body.order_id}`);
        expect((await reply).body).not.toHaveProperty('finished_by');
        const { events } = (await cafe.barista('GET', '/events')).body;
        expect(events[1]).toMatchObject({ type: 'OrderStarted', data: {} });
      } finally {
        await cafe.close();
      }
    });
  });

  describe('start-up and logs', () => {
    async function loggedCafe(env: Record<string, string>) {
      const config = loadConfig({
        CUSTOMER_PORT: '0',
        BARISTA_PORT: '0',
        HTTP_ADAPTER: adapter,
        LOG_LEVEL: 'info',
        ...env,
      });
      const { text, stream } = captureLog();
      const cafe = await startCafe(config, { logger: createLogger(config, stream) });
      const warnings = () =>
        text.filter((line) => JSON.parse(line).level === 40 && line.includes('BARISTA_TOKENS'));
      return { cafe, text, warnings };
    }

    it('warns once when the barista app listens beyond loopback without tokens', async () => {
      const open = await loggedCafe({ HOST: '127.0.0.1', BARISTA_HOST: '0.0.0.0' });
      await open.cafe.close();
      expect(open.warnings()).toHaveLength(1);
      expect(open.warnings()[0]).toContain('listens on 0.0.0.0 without BARISTA_TOKENS');

      const quietSettings: Record<string, string>[] = [
        { HOST: '127.0.0.1' },
        { HOST: '0.0.0.0', ...TOKENS },
        {},
      ];
      for (const env of quietSettings) {
        const quiet = await loggedCafe(env);
        await quiet.cafe.close();
        expect({ env, warnings: quiet.warnings() }).toEqual({ env, warnings: [] });
      }
    });

    it('listens for baristas on loopback and for customers everywhere by default', async () => {
      const { cafe } = await loggedCafe({});
      try {
        expect(cafe.barista.getHttpServer().address()).toMatchObject({ address: '127.0.0.1' });
        expect(cafe.customer.getHttpServer().address()).toMatchObject({ address: '0.0.0.0' });
      } finally {
        await cafe.close();
      }
    });

    it('never writes a token to the log, whether accepted or refused', async () => {
      const { cafe, text } = await loggedCafe({ HOST: '127.0.0.1', ...TOKENS });
      try {
        const reply = call(cafe.customerPort, 'POST', '/order/');
        const port = cafe.baristaPort;
        await eventually(
          async () => (await call(port, 'GET', '/queue', bearer(ANA))).body.queued === 1,
        );
        const started = await call(port, 'GET', '/start/', bearer(ANA));
        await call(port, 'GET', `/queue?token=x`, bearer(`${BEN}x`));
        await call(port, 'GET', '/events', { headers: { authorization: `Basic ${ANA}` } });
        await call(port, 'POST', `/finish/?order_id=${started.body.order_id}`, bearer(BEN));
        expect((await reply).status).toBe(200);
      } finally {
        await cafe.close();
      }
      const log = text.join('');
      expect(log).toContain('"status":401');
      expect(log).toContain('OrderFinished');
      for (const secret of [ANA, BEN, ANA.slice(10), BEN.slice(10)]) {
        expect(log).not.toContain(secret);
      }
    });
  });
});
