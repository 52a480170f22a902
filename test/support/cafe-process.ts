import { join } from 'node:path';
import { ServerProcess } from '@cafe/simulation';
import { call, type HttpAnswer } from './http-client';

/** The built entry point: `make test` builds before it runs the tests. */
export const MAIN = join(__dirname, '..', '..', 'dist', 'apps', 'cafe', 'src', 'main.js');

/** The real café as a child process on free loopback ports, for signals and crashes; its log kept for `said`. */
export class CafeProcess extends ServerProcess {
  /** `openFileLimit`: started under `ulimit -n` of this many. */
  static startCafe(env: Record<string, string>, openFileLimit?: number): Promise<CafeProcess> {
    return CafeProcess.start(MAIN, env, 'keep', openFileLimit);
  }

  customer(method: string, path: string, headers?: Record<string, string>): Promise<HttpAnswer> {
    return call(this.customerPort, method, path, { headers });
  }

  barista(method: string, path: string): Promise<HttpAnswer> {
    return call(this.baristaPort, method, path);
  }
}
