/**
 * The event log refused or failed an append. Infrastructure, not a rule of the café: the order's
 * rules (domain/errors.ts) never raise these, the stores do.
 */
export abstract class EventStoreError extends Error {
  override readonly name = this.constructor.name;
  abstract readonly kind: EventStoreErrorKind;
}

/**
 * What the log's refusal or failure means to whoever asked. Closed, like DomainErrorKind: the
 * HTTP edge maps every kind to one status, so a kind added here does not compile until it has one.
 */
export type EventStoreErrorKind =
  /** Another writer appended first (AppendRefused). */
  | 'outrun'
  /** The log takes no writes now. */
  | 'unavailable';

/** Another writer appended first: the command was decided on a view that is now stale. */
export abstract class AppendRefused extends EventStoreError {
  readonly kind = 'outrun';
}

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
  readonly kind = 'unavailable';
  constructor(reason: string) {
    super(`the order log is unavailable: ${reason}`);
  }
}
