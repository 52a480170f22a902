import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';

/**
 * This café process among every one that ever served the log: named in each order whose
 * customer it holds (`OrderPlaced.heldBy`), so that once it is gone the log says whose customers
 * nobody can answer any more. New at every start: a restarted process is another instance.
 */
export class CafeInstance {
  readonly id = `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`;
}
