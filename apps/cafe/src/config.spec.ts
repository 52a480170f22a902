import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('has defaults for everything', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      host: '0.0.0.0',
      customerPort: 8000,
      baristaPort: 8001,
      httpAdapter: 'express',
      logLevel: 'info',
      logFormat: 'json',
      eventStore: { kind: 'memory' },
      queuePolicy: 'fifo',
      flood: {
        burst: { limit: 300, seconds: 10 },
        sustained: { limit: 1000, seconds: 3600 },
        blockSeconds: 900,
        maxWaitingPerAddress: 300,
      },
      brewLeaseMs: 600_000,
      drainTimeoutMs: 30_000,
      requestTimeouts: { headersMs: 30_000, requestMs: 60_000 },
    });
    expect(config.flood.trustedProxies.entries).toEqual([]);
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
        BREW_LEASE_SECONDS: '90',
        DRAIN_TIMEOUT_SECONDS: '5',
        HEADERS_TIMEOUT_SECONDS: '0.5',
        REQUEST_TIMEOUT_SECONDS: '2',
      }),
    ).toMatchObject({
      host: '127.0.0.1',
      customerPort: 9000,
      baristaPort: 9001,
      httpAdapter: 'fastify',
      logLevel: 'warn',
      logFormat: 'pretty',
      eventStore: { kind: 'memory' },
      brewLeaseMs: 90_000,
      drainTimeoutMs: 5_000,
      requestTimeouts: { headersMs: 500, requestMs: 2000 },
    });
  });

  it('reads the flood defence and the queue policy', () => {
    const config = loadConfig({
      QUEUE_POLICY: 'fair',
      TRUSTED_PROXIES: '10.0.0.1, 172.16.0.0/12',
      THROTTLE_BURST_LIMIT: '50',
      THROTTLE_BURST_SECONDS: '5',
      THROTTLE_SUSTAINED_LIMIT: '500',
      THROTTLE_SUSTAINED_SECONDS: '600',
      THROTTLE_BLOCK_SECONDS: '60',
      MAX_WAITING_PER_ADDRESS: '20',
    });
    expect(config.queuePolicy).toBe('fair');
    expect(config.flood).toMatchObject({
      burst: { limit: 50, seconds: 5 },
      sustained: { limit: 500, seconds: 600 },
      blockSeconds: 60,
      maxWaitingPerAddress: 20,
    });
    expect(config.flood.trustedProxies.entries).toEqual(['10.0.0.1', '172.16.0.0/12']);
    expect(config.flood.trustedProxies.includes('172.20.0.2')).toBe(true);
  });

  it('takes durations in seconds, to the millisecond', () => {
    expect(loadConfig({ BREW_LEASE_SECONDS: '0.2', DRAIN_TIMEOUT_SECONDS: '0' })).toMatchObject({
      brewLeaseMs: 200,
      drainTimeoutMs: 0,
    });
    expect(loadConfig({ BREW_LEASE_SECONDS: '86400', DRAIN_TIMEOUT_SECONDS: '1.5' })).toMatchObject(
      { brewLeaseMs: 86_400_000, drainTimeoutMs: 1500 },
    );
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
    [{ QUEUE_POLICY: 'lifo' }, /QUEUE_POLICY must be one of fifo, fair/],
    [{ TRUSTED_PROXIES: '10.0.0.1,nginx' }, /TRUSTED_PROXIES: "nginx" is not an IP address/],
    [{ TRUSTED_PROXIES: '10.0.0.0/40' }, /TRUSTED_PROXIES: "10.0.0.0\/40" has an invalid prefix/],
    [{ THROTTLE_BURST_LIMIT: '0' }, /THROTTLE_BURST_LIMIT must be a whole number/],
    [{ THROTTLE_BURST_SECONDS: '1.5' }, /THROTTLE_BURST_SECONDS/],
    [{ THROTTLE_SUSTAINED_LIMIT: 'many' }, /THROTTLE_SUSTAINED_LIMIT/],
    [{ THROTTLE_SUSTAINED_SECONDS: '-5' }, /THROTTLE_SUSTAINED_SECONDS/],
    [{ THROTTLE_BLOCK_SECONDS: '1000001' }, /THROTTLE_BLOCK_SECONDS/],
    [{ MAX_WAITING_PER_ADDRESS: 'x' }, /MAX_WAITING_PER_ADDRESS/],
    [{ BREW_LEASE_SECONDS: '0' }, /BREW_LEASE_SECONDS must be a number of seconds from 0.001/],
    [{ BREW_LEASE_SECONDS: '86401' }, /BREW_LEASE_SECONDS/],
    [{ BREW_LEASE_SECONDS: '-5' }, /BREW_LEASE_SECONDS/],
    [{ BREW_LEASE_SECONDS: '0.0001' }, /BREW_LEASE_SECONDS/],
    [{ BREW_LEASE_SECONDS: '1e3' }, /BREW_LEASE_SECONDS/],
    [{ BREW_LEASE_SECONDS: 'ten' }, /BREW_LEASE_SECONDS/],
    [
      { DRAIN_TIMEOUT_SECONDS: '3601' },
      /DRAIN_TIMEOUT_SECONDS must be a number of seconds from 0 to 3600/,
    ],
    [{ DRAIN_TIMEOUT_SECONDS: '.5' }, /DRAIN_TIMEOUT_SECONDS/],
    [{ HEADERS_TIMEOUT_SECONDS: '0' }, /HEADERS_TIMEOUT_SECONDS must be a number of seconds/],
    [{ REQUEST_TIMEOUT_SECONDS: 'never' }, /REQUEST_TIMEOUT_SECONDS/],
    [{ REQUEST_TIMEOUT_SECONDS: '3601' }, /REQUEST_TIMEOUT_SECONDS/],
    [
      { HEADERS_TIMEOUT_SECONDS: '20', REQUEST_TIMEOUT_SECONDS: '10' },
      /HEADERS_TIMEOUT_SECONDS must not exceed REQUEST_TIMEOUT_SECONDS/,
    ],
  ])('refuses %j, naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});
