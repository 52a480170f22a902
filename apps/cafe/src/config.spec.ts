import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './config';

const ANA = 'ana-0123456789abcdef';
const BEN = 'ben-0123456789abcdef';

describe('loadConfig', () => {
  it('logs readable lines by default only to a terminal', () => {
    expect(loadConfig({}, true).logFormat).toBe('pretty');
    expect(loadConfig({}, false).logFormat).toBe('json');
    expect(loadConfig({ LOG_FORMAT: 'json' }, true).logFormat).toBe('json');
  });

  it('has defaults for everything', () => {
    const config = loadConfig({}, false);
    expect(config).toMatchObject({
      customerHost: '0.0.0.0',
      baristaHost: '127.0.0.1',
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
        maxAddresses: 100_000,
        maxWaitingPerAddress: 300,
        lookupMissesPerMinute: 300,
      },
      brewLeaseMs: 600_000,
      drainTimeoutMs: 30_000,
      orphanReattachMs: 300_000,
      requestTimeouts: { headersMs: 30_000, requestMs: 60_000 },
      sessionDeadlines: { heartbeatMs: 2000, queryTimeoutMs: 5000, connectTimeoutMs: 3000 },
    });
    expect(config.flood.trustedProxies.entries).toEqual([]);
    expect(config.staffTokens).toBeUndefined();
  });

  it.each([
    ['memory', { kind: 'memory' }],
    ['sqlite:/var/lib/cafe/orders.db', { kind: 'sqlite', path: '/var/lib/cafe/orders.db' }],
    ['sqlite:orders.db', { kind: 'sqlite', path: 'orders.db' }],
    ['postgres://cafe@db:5432/cafe', { kind: 'postgres', url: 'postgres://cafe@db:5432/cafe' }],
    ['postgresql://db/cafe', { kind: 'postgres', url: 'postgresql://db/cafe' }],
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
        ORPHAN_REATTACH_SECONDS: '30',
        HEADERS_TIMEOUT_SECONDS: '0.5',
        REQUEST_TIMEOUT_SECONDS: '2',
        HEARTBEAT_SECONDS: '0.5',
        QUERY_TIMEOUT_SECONDS: '1.5',
        CONNECT_TIMEOUT_SECONDS: '60',
      }),
    ).toMatchObject({
      customerHost: '127.0.0.1',
      baristaHost: '127.0.0.1',
      customerPort: 9000,
      baristaPort: 9001,
      httpAdapter: 'fastify',
      logLevel: 'warn',
      logFormat: 'pretty',
      eventStore: { kind: 'memory' },
      brewLeaseMs: 90_000,
      drainTimeoutMs: 5_000,
      orphanReattachMs: 30_000,
      requestTimeouts: { headersMs: 500, requestMs: 2000 },
      sessionDeadlines: { heartbeatMs: 500, queryTimeoutMs: 1500, connectTimeoutMs: 60_000 },
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
      THROTTLE_MAX_ADDRESSES: '5000',
      LOOKUP_MISSES_PER_MINUTE: '12',
    });
    expect(config.queuePolicy).toBe('fair');
    expect(config.flood).toMatchObject({
      burst: { limit: 50, seconds: 5 },
      sustained: { limit: 500, seconds: 600 },
      blockSeconds: 60,
      maxWaitingPerAddress: 20,
      maxAddresses: 5000,
      lookupMissesPerMinute: 12,
    });
    expect(config.flood.trustedProxies.entries).toEqual(['10.0.0.1', '172.16.0.0/12']);
    expect(config.flood.trustedProxies.includes('172.20.0.2')).toBe(true);
  });

  it('caps the event stream readers, 200 in all and 50 per address unless told', () => {
    expect(loadConfig({}).streamReaders).toEqual({ total: 200, perAddress: 50 });
    expect(
      loadConfig({ EVENT_STREAM_READERS: '10', EVENT_STREAM_READERS_PER_ADDRESS: '2' })
        .streamReaders,
    ).toEqual({ total: 10, perAddress: 2 });
  });

  it("reads the door's limits: by default the waiting cap plus 50 connections per address", () => {
    expect(loadConfig({}).door).toEqual({ perAddress: 350, descriptorReserve: 128 });
    expect(loadConfig({ MAX_WAITING_PER_ADDRESS: '20' }).door.perAddress).toBe(70);
    expect(
      loadConfig({
        MAX_CONNECTIONS_PER_ADDRESS: '40',
        MAX_WAITING_PER_ADDRESS: '20',
        FD_RESERVE: '64',
      }).door,
    ).toEqual({ perAddress: 40, descriptorReserve: 64 });
  });

  it('lets HOST set both addresses and CUSTOMER_HOST / BARISTA_HOST each one', () => {
    expect(loadConfig({ HOST: '::' })).toMatchObject({ customerHost: '::', baristaHost: '::' });
    expect(loadConfig({ HOST: '::', BARISTA_HOST: '::1' })).toMatchObject({
      customerHost: '::',
      baristaHost: '::1',
    });
    expect(loadConfig({ CUSTOMER_HOST: '127.0.0.1', BARISTA_HOST: '0.0.0.0' })).toMatchObject({
      customerHost: '127.0.0.1',
      baristaHost: '0.0.0.0',
    });
  });

  it("reads the baristas' tokens from BARISTA_TOKENS", () => {
    const tokens = loadConfig({ BARISTA_TOKENS: `ana:${ANA}, ben:${BEN}` }).staffTokens;
    expect(tokens?.nameOf(ANA)).toBe('ana');
    expect(tokens?.nameOf(BEN)).toBe('ben');
    expect(tokens?.nameOf(`${ANA}x`)).toBeUndefined();
    expect(tokens?.nameOf('')).toBeUndefined();
  });

  it('reads them from BARISTA_TOKENS_FILE, one a line, skipping blank lines and comments', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cafe-tokens-')), 'tokens');
    writeFileSync(file, `# the morning shift\nana:${ANA}\n\nben:${BEN}\r\n`);
    const tokens = loadConfig({ BARISTA_TOKENS_FILE: file }).staffTokens;
    expect([tokens?.nameOf(ANA), tokens?.nameOf(BEN)]).toEqual(['ana', 'ben']);
  });

  it.each([
    [{ BARISTA_TOKENS: 'ana' }, /BARISTA_TOKENS: entry 1 must be name:token/],
    [{ BARISTA_TOKENS: `:${ANA}` }, /BARISTA_TOKENS: entry 1: the name must be/],
    [{ BARISTA_TOKENS: 'ana:' }, /BARISTA_TOKENS: entry 1 \(ana\): the token must be 16 to 256/],
    [{ BARISTA_TOKENS: 'ana:short' }, /BARISTA_TOKENS: entry 1 \(ana\): the token/],
    [{ BARISTA_TOKENS: `ana:${ANA} x` }, /BARISTA_TOKENS: entry 1 \(ana\): the token/],
    [{ BARISTA_TOKENS: `ana:${ANA},` }, /BARISTA_TOKENS: entry 2 must be name:token/],
    [{ BARISTA_TOKENS: `ana:${ANA},ana:${BEN}` }, /entry 2: the name ana is given twice/],
    [{ BARISTA_TOKENS: `ana:${ANA},ben:${ANA}` }, /entry 2 \(ben\): the token is given twice/],
    [{ BARISTA_TOKENS: `<b>:${ANA}` }, /BARISTA_TOKENS: entry 1: the name/],
    [{ BARISTA_TOKENS: `ana:${ANA}`, BARISTA_TOKENS_FILE: '/x' }, /not both/],
    [{ BARISTA_TOKENS_FILE: '/nonexistent/tokens' }, /BARISTA_TOKENS_FILE: cannot read/],
  ])('refuses the tokens %j without quoting a token', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
    expect(() => loadConfig(env)).not.toThrow(new RegExp(`${ANA}|${BEN}|short`));
  });

  it('refuses a token file with no entry', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cafe-tokens-')), 'tokens');
    writeFileSync(file, '# nobody yet\n');
    expect(() => loadConfig({ BARISTA_TOKENS_FILE: file })).toThrow(
      /BARISTA_TOKENS_FILE: no name:token entry/,
    );
  });

  it.each([
    ['redis://127.0.0.1:6379', 'redis://127.0.0.1:6379'],
    ['redis://cache', 'redis://cache'],
    ['rediss://user:secret@cache.example:6380/2', 'rediss://user:secret@cache.example:6380/2'],
  ])('shares the flood defence through REDIS_URL=%s', (value, url) => {
    expect(loadConfig({ REDIS_URL: value }).flood.redis).toMatchObject({ url, keyPrefix: 'cafe:' });
    expect(
      loadConfig({ REDIS_URL: value, REDIS_KEY_PREFIX: 'shop-2:' }).flood.redis?.keyPrefix,
    ).toBe('shop-2:');
    expect(loadConfig({}).flood.redis).toBeUndefined();
  });

  it.each([
    ['http://cache:6379', /REDIS_URL must be redis:\/\/host:port/],
    ['cache:6379', /REDIS_URL must be redis:\/\/host:port/],
    ['redis://', /REDIS_URL must be redis:\/\/host:port/],
    ['redis://cache:99999', /REDIS_URL must be redis:\/\/host:port/],
    ['redis://cache/zero', /REDIS_URL must be redis:\/\/host:port/],
    ['redis://cache?family=6', /REDIS_URL must be redis:\/\/host:port/],
  ])('refuses REDIS_URL=%s, naming the variable', (value, message) => {
    expect(() => loadConfig({ REDIS_URL: value })).toThrow(ConfigError);
    expect(() => loadConfig({ REDIS_URL: value })).toThrow(message);
  });

  it('keeps a password out of the message about a bad REDIS_URL', () => {
    expect(() => loadConfig({ REDIS_URL: 'redis://:hunter2@cache/x' })).toThrow(
      'got "redis://***@cache/x"',
    );
  });

  it.each(['has space', 'x'.repeat(65), 'a*b'])('refuses REDIS_KEY_PREFIX=%j', (prefix) => {
    const env = { REDIS_URL: 'redis://cache', REDIS_KEY_PREFIX: prefix };
    expect(() => loadConfig(env)).toThrow(/REDIS_KEY_PREFIX must be 1 to 64/);
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
    [{ EVENT_STORE: 'sqlite:' }, /EVENT_STORE must be "memory", "sqlite:<path>" or "postgres:/],
    [{ EVENT_STORE: 'mysql://db/cafe' }, /EVENT_STORE must be "memory", "sqlite:<path>"/],
    [{ EVENT_STORE: 'postgres://db' }, /EVENT_STORE must name a host and a database/],
    [{ EVENT_STORE: 'postgres://' }, /EVENT_STORE/],
    [{ EVENT_STORE: 'postgres://[::1/cafe' }, /EVENT_STORE is not a valid URL/],
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
    [{ THROTTLE_MAX_ADDRESSES: '0' }, /THROTTLE_MAX_ADDRESSES/],
    [{ LOOKUP_MISSES_PER_MINUTE: '0' }, /LOOKUP_MISSES_PER_MINUTE must be a whole number from 1/],
    [{ LOOKUP_MISSES_PER_MINUTE: '2.5' }, /LOOKUP_MISSES_PER_MINUTE/],
    [{ EVENT_STREAM_READERS: '0' }, /EVENT_STREAM_READERS must be a whole number from 1/],
    [{ EVENT_STREAM_READERS_PER_ADDRESS: 'all' }, /EVENT_STREAM_READERS_PER_ADDRESS/],
    [
      { EVENT_STREAM_READERS: '5', EVENT_STREAM_READERS_PER_ADDRESS: '6' },
      /EVENT_STREAM_READERS_PER_ADDRESS must not exceed EVENT_STREAM_READERS/,
    ],
    [{ ORPHAN_REATTACH_SECONDS: '0' }, /ORPHAN_REATTACH_SECONDS/],
    [
      { MAX_CONNECTIONS_PER_ADDRESS: '299' },
      /MAX_CONNECTIONS_PER_ADDRESS must be at least MAX_WAITING_PER_ADDRESS \(300\)/,
    ],
    [{ MAX_CONNECTIONS_PER_ADDRESS: 'all' }, /MAX_CONNECTIONS_PER_ADDRESS/],
    [{ FD_RESERVE: '0' }, /FD_RESERVE must be a whole number/],
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
    [{ HEARTBEAT_SECONDS: '0' }, /HEARTBEAT_SECONDS must be a number of seconds from 0.1 to 60/],
    [{ HEARTBEAT_SECONDS: '61' }, /HEARTBEAT_SECONDS/],
    [{ QUERY_TIMEOUT_SECONDS: '0.05' }, /QUERY_TIMEOUT_SECONDS/],
    [{ QUERY_TIMEOUT_SECONDS: 'forever' }, /QUERY_TIMEOUT_SECONDS/],
    [{ CONNECT_TIMEOUT_SECONDS: '-1' }, /CONNECT_TIMEOUT_SECONDS/],
  ])('refuses %j, naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});
