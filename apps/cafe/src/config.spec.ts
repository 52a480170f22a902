import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('has defaults for everything', () => {
    expect(loadConfig({})).toEqual({
      host: '0.0.0.0',
      customerPort: 8000,
      baristaPort: 8001,
      httpAdapter: 'express',
      logLevel: 'info',
      logFormat: 'json',
      eventStore: { kind: 'memory' },
    });
  });

  it.each([
    ['memory', { kind: 'memory' }],
    ['sqlite:/var/lib/cafe/orders.db', { kind: 'sqlite', path: '/var/lib/cafe/orders.db' }],
    ['sqlite:orders.db', { kind: 'sqlite', path: 'orders.db' }],
  ])('reads EVENT_STORE=%s', (value, eventStore) => {
    expect(loadConfig({ EVENT_STORE: value }).eventStore).toEqual(eventStore);
  });

  it('reads every variable', () => {
    expect(
      loadConfig({
        HOST: '127.0.0.1',
        CUSTOMER_PORT: '9000',
        BARISTA_PORT: '9001',
        HTTP_ADAPTER: 'fastify',
        LOG_LEVEL: 'warn',
        LOG_FORMAT: 'pretty',
      }),
    ).toEqual({
      host: '127.0.0.1',
      customerPort: 9000,
      baristaPort: 9001,
      httpAdapter: 'fastify',
      logLevel: 'warn',
      logFormat: 'pretty',
      eventStore: { kind: 'memory' },
    });
  });

  it.each([
    [{ CUSTOMER_PORT: 'abc' }, /CUSTOMER_PORT/],
    [{ BARISTA_PORT: '70000' }, /BARISTA_PORT/],
    [{ BARISTA_PORT: '-1' }, /BARISTA_PORT/],
    [{ CUSTOMER_PORT: '8.5' }, /CUSTOMER_PORT/],
    [{ HTTP_ADAPTER: 'koa' }, /HTTP_ADAPTER must be one of express, fastify/],
    [{ LOG_LEVEL: 'verbose' }, /LOG_LEVEL must be one of trace, debug, info, warn/],
    [{ LOG_FORMAT: 'text' }, /LOG_FORMAT must be one of json, pretty/],
    [{ EVENT_STORE: 'sqlite:' }, /EVENT_STORE must be "memory" or "sqlite:<path>"/],
    [{ EVENT_STORE: 'postgres://db' }, /EVENT_STORE must be "memory" or "sqlite:<path>"/],
    [{ CUSTOMER_PORT: '9000', BARISTA_PORT: '9000' }, /CUSTOMER_PORT and BARISTA_PORT must differ/],
  ])('refuses %j, naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});
