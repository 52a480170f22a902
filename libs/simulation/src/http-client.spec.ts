import { once } from 'node:events';
import { createServer } from 'node:net';
import { freePorts } from './http-client';

describe('free ports', () => {
  it('are all different and free to listen on', async () => {
    const ports = await freePorts(5);
    expect(new Set(ports).size).toBe(5);
    const servers = ports.map((port) => createServer().listen(port, '127.0.0.1'));
    try {
      await Promise.all(servers.map((server) => once(server, 'listening')));
    } finally {
      await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    }
  });
});
