import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { SERVER_STDOUTS, ServerProcess, type ServerStdout } from '@cafe/simulation';

const DIST = join(__dirname, '..', '..', '..');
export const CAFE_MAIN = join(DIST, 'apps', 'cafe', 'src', 'main.js');
export const BARE_SERVER = join(DIST, 'apps', 'bench', 'src', 'bare-server.js');
export const NEST_FLOOR_SERVER = join(DIST, 'apps', 'bench', 'src', 'nest-floor-server.js');
export const FLOOD_PROCESS = join(DIST, 'apps', 'bench', 'src', 'flood-process.js');

/**
 * Where a started server's stdout goes, from BENCH_SERVICE_STDOUT: `null` by default (see
 * ServerStdout). Not `keep`: a log held in memory would grow with the load measured.
 */
const BENCH_STDOUTS = SERVER_STDOUTS.filter((where) => where !== 'keep');

export function serviceStdout(): ServerStdout {
  const value = process.env.BENCH_SERVICE_STDOUT ?? 'null';
  const known = BENCH_STDOUTS.find((where) => where === value);
  if (!known) {
    throw new Error(`BENCH_SERVICE_STDOUT must be one of ${BENCH_STDOUTS.join(', ')}`);
  }
  return known;
}

/** Where this checkout's packages are: a copy of dist kept elsewhere does not find them by itself. */
const NODE_MODULES = join(DIST, '..', 'node_modules');

/**
 * Starts `script` (CAFE_MAIN, BARE_SERVER or NEST_FLOOR_SERVER) with its stdout where
 * BENCH_SERVICE_STDOUT says; given `dist`, an earlier build's copy of the dist directory (e.g.
 * `cp -r dist /tmp/dist-before` before a change), the same script in that copy, loading its
 * packages from this checkout's node_modules.
 */
export function startServer(
  script: string,
  env: Record<string, string>,
  dist?: string,
): Promise<ServerProcess> {
  if (dist === undefined) return ServerProcess.start(script, env, serviceStdout());
  return ServerProcess.start(
    join(dist, relative(DIST, script)),
    { ...env, NODE_PATH: NODE_MODULES },
    serviceStdout(),
  );
}

/** Whether `dist` holds a build of the café, as `--before` needs. */
export function isBuild(dist: string): boolean {
  return existsSync(join(dist, relative(DIST, CAFE_MAIN)));
}
