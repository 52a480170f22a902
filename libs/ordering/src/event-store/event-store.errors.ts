/**
 * The event log refused or failed an append. Infrastructure, not a rule of the café: the order's
 * rules (domain/errors.ts) never raise these, the stores do.
 */
export abstract class EventStoreError extends Error {
  override readonly name = this.constructor.name;
}

/** Another writer appended first: the command was decided on a view that is now stale. */
export abstract class AppendRefused extends EventStoreError {}

/** Another writer changed the stream between our read and our append. */
export class WrongExpectedVersion extends AppendRefused {
  constructor(
    readonly stream: string,
    readonly expected: number,
    readonly actual: number,
  ) {
    super(`stream ${stream} is at version ${actual}, expected ${expected}`);
  }
}

/** On a shared log: another instance placed an order under this Idempotency-Key first. */
export class IdempotencyKeyTaken extends AppendRefused {
  constructor(readonly key: string) {
    super('another instance placed an order under this Idempotency-Key first');
  }
}

/** The event log cannot take writes any more (a commit failed, or the store is closed). */
export class EventStoreUnavailable extends EventStoreError {
  constructor(reason: string) {
    super(`the order log is unavailable: ${reason}`);
  }
}
