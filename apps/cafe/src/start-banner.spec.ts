import { Retention } from '@cafe/ordering';
import { startBanner } from './start-banner';

describe('the start banner', () => {
  it('says where customers, baristas, the board, the station and the API docs are, and on what', () => {
    const banner = startBanner(
      {
        customerHost: '0.0.0.0',
        baristaHost: '127.0.0.1',
        httpAdapter: 'fastify',
        eventStore: { kind: 'sqlite', path: '/data/cafe.db' },
        queuePolicy: 'fair',
        retention: new Retention(),
      },
      { customer: 8000, barista: 8001 },
    );
    expect(banner.split('\n')).toEqual([
      'café open: fastify, sqlite (/data/cafe.db) store, fair queue',
      '  keeps      the whole log; in memory the live orders and the latest settled ones',
      '  customers  http://localhost:8000/order/',
      '  baristas   http://127.0.0.1:8001/start/',
      '  board      http://127.0.0.1:8001/',
      '  station    http://127.0.0.1:8001/station',
      '  API docs   http://localhost:8000/docs, http://127.0.0.1:8001/docs',
    ]);
  });

  it('brackets an IPv6 address and names the memory store and what it lets go', () => {
    const banner = startBanner(
      {
        customerHost: '::1',
        baristaHost: '::',
        httpAdapter: 'express',
        eventStore: { kind: 'memory' },
        queuePolicy: 'fifo',
        retention: new Retention({ eventsKept: 500 }),
      },
      { customer: 9000, barista: 9001 },
    );
    expect(banner).toContain('café open: express, memory store, fifo queue');
    expect(banner).toContain('keeps      the live orders and the last 500 events only');
    expect(banner).toContain('customers  http://[::1]:9000/order/');
    expect(banner).toContain('baristas   http://localhost:9001/start/');
  });

  it('names the PostgreSQL log by its URL, without the password', () => {
    const banner = startBanner(
      {
        customerHost: '0.0.0.0',
        baristaHost: '127.0.0.1',
        httpAdapter: 'express',
        eventStore: { kind: 'postgres', url: 'postgres://cafe:s3cret-pw@db.internal:5432/cafe' },
        queuePolicy: 'fifo',
        retention: new Retention(),
      },
      { customer: 8000, barista: 8001 },
    );
    expect(banner.split('\n')[0]).toBe(
      'café open: express, postgres (postgres://cafe:***@db.internal:5432/cafe) store, fifo queue',
    );
    expect(banner).not.toContain('s3cret-pw');
  });
});
