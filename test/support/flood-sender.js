// The flooding client, run in a worker thread by crowd.ts (floodFrom): like a client on its own
// machine, its thousands of sockets cost the test's event loop, where the service runs, nothing.
// Plain JavaScript because a worker loads it outside Jest's TypeScript transform.
const { parentPort, workerData } = require('node:worker_threads');
const { request } = require('node:http');

const { port, address, count, forge } = workerData;

function send(i) {
  // A forging client claims another address in every request.
  const headers = forge ? { 'x-forwarded-for': `10.9.${i >> 8}.${i & 255}` } : {};
  return new Promise((resolve) => {
    const done = (status, responseHeaders, text) =>
      resolve({ status, headers: responseHeaders, text });
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/order/',
        agent: false,
        localAddress: address,
        headers,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => done(res.statusCode, res.headers, text));
      },
    );
    req.on('error', (error) => done(0, {}, String(error)));
    req.end();
  });
}

Promise.all(Array.from({ length: count }, (_, i) => send(i))).then((answers) =>
  parentPort.postMessage(answers),
);
