import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** The server the tests use: DATABASE_URL, by default the local one. Each test file makes its own database on it. */
export const DATABASE_URL =
  process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * `describe` for tests that need PostgreSQL. Run by hand without a reachable server, they are
 * skipped with a message saying why; in CI (`.ci/run` sets CI and starts the server) an
 * unreachable server is a failure, never a silent skip.
 */
export function describeWithPostgres(): jest.Describe {
  // Jest decides what to skip before any test runs: the probe is a short synchronous child.
  const probe = spawnSync(
    process.execPath,
    [
      '-e',
      `const { Client } = require('pg');
       const client = new Client({ connectionString: process.argv[1], connectionTimeoutMillis: 3000 });
       client.connect().then(() => client.end(), (error) => { console.error(error.message); process.exit(1); });`,
      DATABASE_URL,
    ],
    { encoding: 'utf8', timeout: 10_000 },
  );
  if (probe.status === 0) return describe;
  const message = `PostgreSQL at ${DATABASE_URL} is unreachable (${probe.stderr.trim() || 'timed out'}); set DATABASE_URL or start it (.ci/run does)`;
  if (process.env.CI) throw new Error(message);
  console.warn(`SKIPPED: ${message}`);
  return describe.skip;
}

export interface TestDatabase {
  /** The URL of the new, empty database. */
  readonly url: string;
  /** Drops it, closing whatever is still connected to it. */
  drop(): Promise<void>;
}

/** Creates an empty database of its own on the server of DATABASE_URL. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `cafe_test_${randomBytes(6).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(DATABASE_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

async function admin(sql: string): Promise<void> {
  const client = new Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
