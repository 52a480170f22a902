import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, freePort } from './http-client';
import { installedPath } from './installed-tool';

export const NGINX = installedPath('nginx');
export const NGINX_CONF = join(__dirname, '..', '..', 'docker', 'nginx.conf');

/**
 * The production configuration (docker/nginx.conf) with only its addresses changed for a test:
 * nginx listens on `listen` instead of 8080 and proxies to `upstreams` instead of `cafe:8000`
 * (in compose, `cafe` resolves to every instance of a fleet).
 */
export function renderNginxConf(listen: string, ...upstreams: string[]): string {
  const conf = readFileSync(NGINX_CONF, 'utf8');
  return replaceOnce(
    replaceOnce(conf, 'listen 8080;', `listen ${listen};`),
    'server cafe:8000;',
    upstreams.map((upstream) => `server ${upstream};`).join(' '),
  );
}

function replaceOnce(text: string, line: string, replacement: string): string {
  const parts = text.split(line);
  if (parts.length !== 2) throw new Error(`docker/nginx.conf must contain "${line}" exactly once`);
  return parts.join(replacement);
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => resolve(socket.destroy() && true));
    socket.once('error', () => resolve(false));
  });
}

/** `nginx -t` on the rendered production config: its exit status and what it printed. */
export function checkNginxConf(): { status: number | null; stderr: string } {
  const prefix = mkdtempSync(join(tmpdir(), 'cafe-nginx-t-'));
  try {
    const conf = join(prefix, 'nginx.conf');
    writeFileSync(conf, renderNginxConf('127.0.0.1:8080', '127.0.0.1:8000'));
    const { status, stderr } = spawnSync(
      NGINX,
      ['-t', '-p', prefix, '-c', conf, '-g', `pid ${join(prefix, 'nginx.pid')};`],
      // A pipe for stdout would be a socket, which nginx cannot open as /dev/stdout (access_log).
      { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] },
    );
    return { status, stderr };
  } finally {
    rmSync(prefix, { recursive: true, force: true });
  }
}

/** nginx in the foreground with the rendered production config, on a free loopback port. */
export class TestNginx {
  private stderr = '';

  private constructor(
    readonly port: number,
    private readonly prefix: string,
    private readonly process: ChildProcess,
  ) {
    process.stderr?.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-4000);
    });
  }

  /** In front of the customer ports `upstreamPorts` on the loopback. */
  static async start(...upstreamPorts: number[]): Promise<TestNginx> {
    const port = await freePort();
    const prefix = mkdtempSync(join(tmpdir(), 'cafe-nginx-'));
    const conf = join(prefix, 'nginx.conf');
    const upstreams = upstreamPorts.map((upstream) => `127.0.0.1:${upstream}`);
    writeFileSync(conf, renderNginxConf(`127.0.0.1:${port}`, ...upstreams));
    const child = spawn(
      NGINX,
      ['-p', prefix, '-c', conf, '-g', `daemon off; pid ${join(prefix, 'nginx.pid')};`],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const nginx = new TestNginx(port, prefix, child);
    try {
      await eventually(async () => {
        if (child.exitCode !== null)
          throw new Error(`nginx exited ${child.exitCode}: ${nginx.stderr}`);
        return accepts(port);
      });
    } catch (error) {
      await nginx.stop();
      throw error;
    }
    return nginx;
  }

  /** Fast shutdown (SIGTERM), then the temporary prefix goes. */
  async stop(): Promise<void> {
    if (this.process.exitCode === null && this.process.signalCode === null) {
      const exited = new Promise((resolve) => this.process.once('exit', resolve));
      this.process.kill('SIGTERM');
      await exited;
    }
    rmSync(this.prefix, { recursive: true, force: true });
  }
}
