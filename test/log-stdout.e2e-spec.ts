import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';

/** The built logger (`make test` builds first): its stdout is what these tests read. */
const LOGGER = join(__dirname, '..', 'dist', 'apps', 'cafe', 'src', 'logger.js');

/** A process whose `script` logs through the café's logger onto its real stdout, a pipe to us. */
function logging(script: string): ChildProcess {
  const prelude =
    `const { createLogger } = require(${JSON.stringify(LOGGER)});` +
    "const logger = createLogger({ logLevel: 'info', logFormat: 'json' });";
  return spawn(process.execPath, ['-e', prelude + script], { stdio: ['pipe', 'pipe', 'pipe'] });
}

/** What the child has written to stdout so far, line by line. */
function linesOf(child: ChildProcess): { readonly lines: string[] } {
  let text = '';
  const stdout = child.stdout!.setEncoding('utf8');
  stdout.on('data', (chunk: string) => (text += chunk)).resume(); // even if paused before
  return {
    get lines() {
      return text.split('\n').filter(Boolean);
    },
  };
}

function said(child: ChildProcess, what: string): Promise<void> {
  return new Promise((resolve) => {
    let text = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      text += chunk;
      if (text.includes(what)) resolve();
    });
  });
}

const exited = (child: ChildProcess) => once(child, 'exit') as Promise<[number | null]>;
const numbers = (lines: string[]) => lines.map((line) => JSON.parse(line).n as number);
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('log lines on stdout (ADR 0011)', () => {
  beforeAll(() => expect(existsSync(LOGGER)).toBe(true));

  it.each([
    ['process.exit()', 'process.exit(0);'],
    ['the end of its work', ''],
  ])('loses no line, in order, when the process ends by %s', async (_, end) => {
    const count = 20_000; // several batches, the last of them still waiting at the end
    const child = logging(`for (let n = 0; n < ${count}; n++) logger.info({ n }, 'line'); ${end}`);
    const out = linesOf(child);
    const [code] = await exited(child);
    expect(code).toBe(0);
    expect(numbers(out.lines)).toEqual(range(count));
  });

  it('writes a line while the process runs on, not only when it ends', async () => {
    const child = logging("logger.info({ n: 0 }, 'line'); setInterval(() => {}, 1000);");
    const out = linesOf(child);
    try {
      while (out.lines.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(numbers(out.lines)).toEqual([0]);
      expect(child.exitCode).toBeNull();
    } finally {
      child.kill();
    }
  });

  it('keeps the event loop turning while nobody reads stdout, then writes every line', async () => {
    // Far more than a pipe holds (64 KB): written on the event loop, this would block it.
    const count = 20_000;
    const child = logging(
      `for (let n = 0; n < ${count}; n++) logger.info({ n }, 'line');` +
        "setTimeout(() => process.stderr.write('still turning\\n'), 200);" +
        'process.stdin.resume().on("end", () => process.exit(0));',
    );
    child.stdout!.pause(); // nobody reads until the child has shown its loop is free
    await said(child, 'still turning');
    const out = linesOf(child);
    child.stdin!.end();
    const [code] = await exited(child);
    expect(code).toBe(0);
    expect(numbers(out.lines)).toEqual(range(count));
  });
});
