import type { CancelReason, OrderStatus } from './order-status';

/**
 * What a rule's refusal means to whoever asked, whichever error says it. Closed: the HTTP edge
 * maps every kind to one status (http-error.filter.ts), so a kind added here does not compile
 * until it has one.
 */
export type DomainErrorKind =
  /** The order, or an order to start, is not there. */
  | 'not-found'
  /** The order is there but its state refuses the command. */
  | 'refused'
  /** The service is shutting down. */
  | 'closing'
  /** An Idempotency-Key came back with another request. */
  | 'key-reused';

/** A rule of the café said no. The HTTP edge maps each kind to one status, in one filter. */
export abstract class DomainError extends Error {
  override readonly name = this.constructor.name;
  abstract readonly kind: DomainErrorKind;
}

export class OrderNotFound extends DomainError {
  readonly kind = 'not-found';
  /** `eventsKept`: the store lets older events go (the memory store), so the order may be one of them. */
  constructor(
    readonly orderId: string,
    eventsKept?: number,
  ) {
    super(
      eventsKept === undefined
        ? `order ${orderId} does not exist`
        : `order ${orderId} does not exist or is older than what this café keeps (the live orders and the last ${eventsKept} events in memory)`,
    );
  }
}

export class QueueEmpty extends DomainError {
  readonly kind = 'not-found';
  constructor() {
    super('no order is waiting to be started');
  }
}

/** The order exists but is not in the state the command needs. */
export class OrderInWrongState extends DomainError {
  readonly kind = 'refused';
  constructor(
    readonly orderId: string,
    readonly status: OrderStatus,
    expected: OrderStatus,
  ) {
    super(`order ${orderId} is ${status}, not ${expected}`);
  }
}

export class OrderAlreadyPlaced extends DomainError {
  readonly kind = 'refused';
  constructor(readonly orderId: string) {
    super(`order ${orderId} was already placed`);
  }
}

/** Told to a customer who is waiting for an order that will now never be made. */
export class OrderWasCancelled extends DomainError {
  readonly kind = 'refused';
  constructor(
    readonly orderId: string,
    readonly reason: CancelReason,
  ) {
    super(`order ${orderId} was cancelled (${reason})`);
  }
}

/** A requeue came before the barista's lease ran out (a timer fired early, or the clock moved). */
export class LeaseNotExpired extends DomainError {
  readonly kind = 'refused';
  constructor(readonly orderId: string) {
    super(`order ${orderId} is still within its barista's lease`);
  }
}

/** The service is shutting down and will not finish this wait. */
export class ServiceClosing extends DomainError {
  readonly kind = 'closing';
  constructor() {
    super('the café is closing; try again shortly');
  }
}

/** An Idempotency-Key came back with a different request than the one it placed. */
export class IdempotencyKeyReused extends DomainError {
  readonly kind = 'key-reused';
  constructor(readonly orderId: string) {
    super(`this Idempotency-Key already placed order ${orderId} with a different request`);
  }
}
