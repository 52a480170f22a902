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

/** Which café instances are alive, as far as this one can tell. */
export abstract class InstanceLiveness {
  /** Whether other instances write the log too, so that some of them may be alive. */
  abstract readonly shared: boolean;

  /** Says `self` is alive and resolves with every instance that is, `self` included. */
  abstract alive(self: string): Promise<ReadonlySet<string>>;
}

/** A log only this process writes (memory, SQLite): every other instance is gone. */
export class OnlyThisInstance extends InstanceLiveness {
  readonly shared = false;

  async alive(self: string): Promise<ReadonlySet<string>> {
    return new Set([self]);
  }
}
