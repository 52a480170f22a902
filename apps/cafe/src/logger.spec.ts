import { createLogger } from './logger';
import { captureLog } from '../../../test/support/log-capture';

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('createLogger', () => {
  it('writes one JSON object per line with an ISO time, from the configured level up', async () => {
    const { text, stream } = captureLog();
    const logger = createLogger({ logLevel: 'warn', logFormat: 'json' }, stream);
    logger.info('dropped');
    logger.warn({ order_id: 'abc' }, 'kept');
    await settle();
    expect(text).toHaveLength(1);
    const line = JSON.parse(text[0]);
    expect(line).toMatchObject({ level: 40, order_id: 'abc', msg: 'kept' });
    expect(line.time).toBe(new Date(line.time).toISOString());
  });

  it('writes readable text rather than JSON with LOG_FORMAT=pretty', async () => {
    const { text, stream } = captureLog();
    createLogger({ logLevel: 'info', logFormat: 'pretty' }, stream).info(
      { order_id: 'abc' },
      'event',
    );
    while (text.length === 0) await settle();
    expect(text.join('')).toMatch(/INFO.*event/);
    expect(text.join('')).toMatch(/order_id: "abc"/);
    expect(() => JSON.parse(text[0])).toThrow();
  });

  it('refuses LOG_FORMAT=pretty where pino-pretty is not installed (production images)', () => {
    jest.isolateModules(() => {
      jest.doMock('pino-pretty', () => {
        throw new Error("Cannot find module 'pino-pretty'");
      });
      // Loaded again inside the isolated registry, where pino-pretty is missing.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const isolated = require('./logger') as typeof import('./logger');
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { ConfigError: IsolatedConfigError } = require('./config') as typeof import('./config');
      const pretty = () => isolated.createLogger({ logLevel: 'info', logFormat: 'pretty' });
      expect(pretty).toThrow(IsolatedConfigError);
      expect(pretty).toThrow(/LOG_FORMAT=pretty needs pino-pretty/);
    });
  });
});
