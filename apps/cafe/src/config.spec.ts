import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('has defaults for everything', () => {
    expect(loadConfig({})).toEqual({
      host: '0.0.0.0',
      customerPort: 8000,
      baristaPort: 8001,
      httpAdapter: 'express',
      brewLeaseMs: 600_000,
      drainTimeoutMs: 30_000,
    });
  });

  it('reads every variable', () => {
    expect(
      loadConfig({
        HOST: '127.0.0.1',
        CUSTOMER_PORT: '9000',
        BARISTA_PORT: '9001',
        HTTP_ADAPTER: 'fastify',
        BREW_LEASE_SECONDS: '90',
        DRAIN_TIMEOUT_SECONDS: '5',
      }),
    ).toEqual({
      host: '127.0.0.1',
      customerPort: 9000,
      baristaPort: 9001,
      httpAdapter: 'fastify',
      brewLeaseMs: 90_000,
      drainTimeoutMs: 5_000,
    });
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
    [{ CUSTOMER_PORT: '9000', BARISTA_PORT: '9000' }, /CUSTOMER_PORT and BARISTA_PORT must differ/],
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
  ])('refuses %j, naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});
