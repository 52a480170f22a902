import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServerProcess, ServerRefused } from './server-process';

/**
 * A stand-in server: it fails as a taken port does (EADDRINUSE on stderr, exit 1) until
 * `failures` starts have failed, then answers GET /queue on BARISTA_PORT.
 */
const SERVER = `
const { existsSync, readFileSync, writeFileSync } = require('node:fs');
const tally = process.env.TALLY;
const failed = existsSync(tally) ? Number(readFileSync(tally, 'utf8')) : 0;
if (failed < Number(process.env.FAILURES)) {
  writeFileSync(tally, String(failed + 1));
  console.error('Error: listen EADDRINUSE: address already in use');
  process.exit(1);
}
require('node:http')
  .createServer((req, res) => res.end(JSON.stringify({ queued: 0, brewing: 0 })))
  .listen(Number(process.env.BARISTA_PORT), process.env.HOST);
`;

describe('ServerProcess.start', () => {
  let dir: string;
  let script: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'server-process-'));
    script = join(dir, 'server.js');
    writeFileSync(script, SERVER);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const start = (failures: number) =>
    ServerProcess.start(script, { TALLY: join(dir, 'tally'), FAILURES: String(failures) });

  it('starts again on other ports when a port was taken before the server bound it', async () => {
    const server = await start(2);
    try {
      expect(await server.queue()).toEqual({ queued: 0, brewing: 0 });
    } finally {
      await server.stop();
    }
    expect(await server.exited).toBeNull(); // stopped by SIGTERM
  });

  it('gives up after three taken ports, with what the server said', async () => {
    const refused = await start(4).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ServerRefused);
    expect(String(refused)).toMatch(/EADDRINUSE/);
  });
});
