import { join } from 'node:path';
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

/** Starts `script` (CAFE_MAIN, BARE_SERVER or NEST_FLOOR_SERVER) with its stdout where BENCH_SERVICE_STDOUT says. */
export function startServer(script: string, env: Record<string, string>): Promise<ServerProcess> {
  return ServerProcess.start(script, env, serviceStdout());
}
