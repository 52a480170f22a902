import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from 'pg';
import { reason } from './postgres-link';

const MIGRATIONS = join(__dirname, 'migrations');

/**
 * Applies the SQL files of `migrations/` that the database has not recorded, in name order,
 * each in its own transaction, under an advisory lock: instances starting together wait for
 * the first one, then find nothing left to do.
 *
 * Each file is applied once and never again, so a file is a frozen step: a change to
 * `cafe_append` is a new file with the whole function (see the head of 003 for why it is not
 * kept once, in a file re-applied at every start).
 */
export async function migrate(client: Client): Promise<void> {
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock(hashtext('cafe_migrations'))");
    try {
      await client.query(
        'CREATE TABLE IF NOT EXISTS cafe_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
      );
      const { rows } = await client.query<{ name: string }>('SELECT name FROM cafe_migrations');
      const applied = new Set(rows.map(({ name }) => name));
      for (const name of readdirSync(MIGRATIONS)
        .filter((file) => file.endsWith('.sql'))
        .sort()) {
        if (applied.has(name)) continue;
        await client.query('BEGIN');
        try {
          await client.query(readFileSync(join(MIGRATIONS, name), 'utf8'));
          await client.query('INSERT INTO cafe_migrations (name) VALUES ($1)', [name]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw new Error(`migration ${name} failed: ${reason(error)}`);
        }
      }
    } finally {
      await client.query("SELECT pg_advisory_unlock(hashtext('cafe_migrations'))");
    }
  } finally {
    await client.end();
  }
}
