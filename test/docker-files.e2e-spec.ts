import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../apps/cafe/src/config';

/**
 * No Docker engine runs here: these checks hold the image and compose files to what the rest
 * of the repository says (entry point, ports, sources), so a rename cannot silently break them.
 */
const root = join(__dirname, '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

/** Dockerfile instructions, with continuation lines joined and comments dropped. */
function instructions(dockerfile: string): Array<{ op: string; args: string }> {
  return dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [op, ...rest] = line.split(/\s+/);
      return { op: op.toUpperCase(), args: rest.join(' ') };
    });
}

/** The lines of one top-level service of the compose file (two-space indentation). */
function service(compose: string, name: string): string[] {
  const lines = compose.split('\n');
  const start = lines.indexOf(`  ${name}:`);
  expect(start).toBeGreaterThan(-1);
  const end = lines.findIndex((line, i) => i > start && /^ {0,2}\S/.test(line));
  return lines.slice(start + 1, end === -1 ? undefined : end);
}

/** The `- "..."` items of a list key (`ports:`, `volumes:`) within a service. */
function listOf(lines: string[], key: string): string[] {
  const start = lines.findIndex((line) => line.trim() === `${key}:`);
  if (start === -1) return [];
  const items: string[] = [];
  for (const line of lines.slice(start + 1)) {
    // YAML quotes either way ("8080:8080" or '8080:8080'; prettier writes single quotes).
    const item = /^\s+- (["']?)([^"']+)\1$/.exec(line);
    if (!item) break;
    items.push(item[2]);
  }
  return items;
}

describe('docker/Dockerfile', () => {
  const steps = instructions(read('docker/Dockerfile'));
  const stages = steps.filter((s) => s.op === 'FROM');
  const final = steps.slice(steps.lastIndexOf(stages[stages.length - 1]));

  it('builds in one node:20-slim stage and runs in another', () => {
    expect(stages.map((s) => s.args)).toEqual(['node:20-slim AS build', 'node:20-slim']);
    const runs = steps.filter((s) => s.op === 'RUN').map((s) => s.args);
    expect(runs).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/npm ci/),
        expect.stringMatching(/npm prune --omit=dev/),
      ]),
    );
    expect(
      final
        .filter((s) => s.op === 'RUN')
        .map((s) => s.args)
        .join(' '),
    ).not.toMatch(/npm (ci|install)/);
  });

  it('copies only sources that exist', () => {
    const sources = steps
      .filter((s) => s.op === 'COPY' && !s.args.startsWith('--from'))
      .flatMap((s) => s.args.split(/\s+/).slice(0, -1));
    expect(sources.length).toBeGreaterThan(3);
    for (const source of sources)
      expect({ source, exists: existsSync(join(root, source)) }).toEqual({ source, exists: true });
  });

  it('runs as an unprivileged user, starts what make run starts, on the default ports', () => {
    const user = final.filter((s) => s.op === 'USER').map((s) => s.args);
    expect(user).toHaveLength(1);
    expect(user[0]).not.toMatch(/^(root|0)(:|$)/);
    const main = /^MAIN := (.+)$/m.exec(read('Makefile'))?.[1];
    expect(final.find((s) => s.op === 'CMD')?.args).toBe(`["node", "${main}"]`);
    const defaults = loadConfig({});
    expect(final.find((s) => s.op === 'EXPOSE')?.args).toBe(
      `${defaults.customerPort} ${defaults.baristaPort}`,
    );
  });

  it('checks health with node (slim has no curl) against /health', () => {
    const check = final.find((s) => s.op === 'HEALTHCHECK')?.args ?? '';
    expect(check).toMatch(/CMD \["node", "-e", .*fetch\(.*\/health'/);
    expect(check).not.toMatch(/curl|wget/);
  });

  it('listens on every interface of the container, so that the published ports reach the apps', () => {
    const env = final
      .filter((s) => s.op === 'ENV')
      .map((s) => s.args)
      .join(' ');
    expect(env).toMatch(/CUSTOMER_HOST=0\.0\.0\.0/);
    expect(env).toMatch(/BARISTA_HOST=0\.0\.0\.0/);
  });

  it('keeps the event log on a volume', () => {
    const env = final
      .filter((s) => s.op === 'ENV')
      .map((s) => s.args)
      .join(' ');
    const volume = final.find((s) => s.op === 'VOLUME')?.args;
    expect(env).toMatch(new RegExp(`EVENT_STORE=sqlite:${volume}/`));
  });
});

describe('docker/docker-compose.yml', () => {
  const compose = read('docker/docker-compose.yml');
  const cafe = service(compose, 'cafe');
  const nginx = service(compose, 'nginx');

  it('publishes only nginx to the world and the barista port on the loopback', () => {
    expect(listOf(nginx, 'ports')).toEqual(['8080:8080']);
    expect(listOf(cafe, 'ports')).toEqual(['127.0.0.1:8001:8001']);
  });

  it('gives the café a durable volume at the event store path and trusts only nginx', () => {
    const [volume] = listOf(cafe, 'volumes');
    expect(volume).toMatch(/^cafe-data:\/data$/);
    expect(compose).toMatch(/^volumes:\n {2}cafe-data:/m);
    expect(cafe.join('\n')).toMatch(/EVENT_STORE: sqlite:\/data\//);
    const nginxAddress = /ipv4_address: (\S+)/.exec(nginx.join('\n'))?.[1];
    expect(cafe.join('\n')).toContain(`TRUSTED_PROXIES: ${nginxAddress}`);
  });

  it("passes the baristas' tokens from the host's environment", () => {
    expect(cafe.join('\n')).toContain('BARISTA_TOKENS: ${BARISTA_TOKENS:-}');
  });

  it('starts nginx with docker/nginx.conf once the café is healthy', () => {
    expect(listOf(nginx, 'volumes')).toEqual(['./nginx.conf:/etc/nginx/nginx.conf:ro']);
    expect(nginx.join('\n')).toMatch(/cafe:\n\s+condition: service_healthy/);
  });
});

describe('docker/docker-compose.fleet.yml', () => {
  const compose = read('docker/docker-compose.fleet.yml');
  const cafe = service(compose, 'cafe');
  const nginx = service(compose, 'nginx');
  const env = (name: string) => new RegExp(`^\\s+${name}: (\\S+)$`, 'm').exec(cafe.join('\n'))?.[1];

  it('runs three cafés on the PostgreSQL and Redis services, each configured as the café reads it', () => {
    expect(cafe.join('\n')).toMatch(/deploy:\n\s+replicas: 3/);
    const eventStore = env('EVENT_STORE') as string;
    expect(eventStore).toMatch(/^postgres:\/\/cafe:.*@postgres:5432\/cafe$/);
    const redisUrl = env('REDIS_URL') as string;
    expect(redisUrl).toBe('redis://redis:6379');
    const config = loadConfig({
      EVENT_STORE: eventStore.replace('${POSTGRES_PASSWORD:-cafe}', 'cafe'),
      REDIS_URL: redisUrl,
    });
    expect(config.eventStore.kind).toBe('postgres');
    expect(config.flood.redis?.url).toBe(redisUrl);
    for (const name of ['postgres', 'redis']) {
      expect(service(compose, name).join('\n')).toMatch(/healthcheck:/);
      expect(cafe.join('\n')).toMatch(new RegExp(`${name}:\\n\\s+condition: service_healthy`));
    }
  });

  it('publishes only nginx to the world, each barista port on the loopback, and trusts only nginx', () => {
    expect(listOf(nginx, 'ports')).toEqual(['8080:8080']);
    expect(listOf(cafe, 'ports')).toEqual(['127.0.0.1:8001-8003:8001']);
    for (const name of ['postgres', 'redis'])
      expect(listOf(service(compose, name), 'ports')).toEqual([]);
    const nginxAddress = /ipv4_address: (\S+)/.exec(nginx.join('\n'))?.[1];
    expect(env('TRUSTED_PROXIES')).toBe(nginxAddress);
  });

  it('puts the same docker/nginx.conf in front, which balances by open connections', () => {
    expect(listOf(nginx, 'volumes')).toEqual(['./nginx.conf:/etc/nginx/nginx.conf:ro']);
    expect(read('docker/nginx.conf')).toMatch(
      /upstream cafe \{[^}]*least_conn;[^}]*server cafe:8000;/,
    );
  });
});

describe('.dockerignore', () => {
  it('keeps local state out of the build context', () => {
    const ignored = read('.dockerignore').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', '.git', '*.db']));
  });
});
