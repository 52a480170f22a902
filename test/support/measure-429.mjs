#!/usr/bin/env node
// How many 429 answers per second the customer app gives a blocked address, on each platform.
// Starts the built service (make build) in a child process with a burst limit of 1, then has
// one address send orders over CONNECTIONS keep-alive connections for SECONDS and counts the
// answers. Usage: node test/support/measure-429.mjs [seconds=10] [connections=50]
import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const MAIN = join(
  import.meta.dirname ?? new URL('.', import.meta.url).pathname,
  '../../dist/apps/cafe/src/main.js',
);
const SECONDS = Number(process.argv[2] ?? 10);
const CONNECTIONS = Number(process.argv[3] ?? 50);
const FLOOD_ADDRESS = '127.0.66.6';

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function listening(port) {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => resolve(socket.destroy() && true));
    socket.once('error', () => resolve(false));
  });
}

function post(agent, port) {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/order/',
        agent,
        localAddress: FLOOD_ADDRESS,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

async function measure(adapter) {
  const [customer, barista] = [await freePort(), await freePort()];
  const service = spawn(process.execPath, [MAIN], {
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      CUSTOMER_PORT: String(customer),
      BARISTA_PORT: String(barista),
      HTTP_ADAPTER: adapter,
      THROTTLE_BURST_LIMIT: '1',
    },
    stdio: 'ignore',
  });
  try {
    // The first order is accepted and waits; the second blocks the address and cuts it off.
    const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
    while (!(await listening(customer))) await sleep(100);
    const counts = {};
    const until = performance.now() + SECONDS * 1000;
    const worker = async () => {
      while (performance.now() < until) {
        const status = await post(agent, customer);
        counts[status] = (counts[status] ?? 0) + 1;
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: CONNECTIONS }, worker));
    const elapsed = (performance.now() - started) / 1000;
    agent.destroy();
    const perSecond = Math.round((counts[429] ?? 0) / elapsed);
    console.log(
      `${adapter}: ${perSecond} answers 429/s (${JSON.stringify(counts)} in ${elapsed.toFixed(1)} s)`,
    );
  } finally {
    service.kill('SIGTERM');
    await new Promise((resolve) => service.once('exit', resolve));
  }
}

for (const adapter of ['express', 'fastify']) await measure(adapter);
