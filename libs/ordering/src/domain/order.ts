import type { Drink } from './drink';
import type { CancelReason, OrderStatus } from './order-status';
import { exhaustive } from './exhaustive';
import { LeaseNotExpired, OrderAlreadyPlaced, OrderInWrongState, OrderNotFound } from './errors';
import {
  type IdempotencyClaim,
  OrderCancelled,
  type OrderEvent,
  OrderFinished,
  OrderPlaced,
  OrderReattached,
  OrderRequeued,
  OrderStarted,
} from '../events';

/** An order as its events made it. Times are epoch milliseconds. */
export interface Order {
  readonly orderId: string;
  readonly drink: Drink;
  readonly clientAddress: string;
  readonly status: OrderStatus;
  readonly placedAt: number;
  /** The latest start: after a requeue, a second barista's start replaces the first. */
  readonly startedAt?: number;
  /** Who made the latest start, when the barista app knows its baristas by token. */
  readonly startedBy?: string;
  /** Set once a barista's lease ran out and the order went back to the queue. */
  readonly requeuedAt?: number;
  readonly finishedAt?: number;
  readonly finishedBy?: string;
  readonly cancelledAt?: number;
  readonly cancelReason?: CancelReason;
  /** The café process holding the customer's request (OrderPlaced.heldBy, OrderReattached.heldBy). */
  readonly heldBy?: string;
}

/** What may be asked of an order; `at` is the moment the command was accepted. */
export type OrderCommand = { orderId: string; at: number } & (
  | {
      kind: 'place';
      drink: Drink;
      clientAddress: string;
      idempotency?: IdempotencyClaim;
      heldBy?: string;
    }
  | { kind: 'start'; barista?: string }
  | { kind: 'finish'; barista?: string }
  | { kind: 'cancel'; reason: CancelReason }
  | { kind: 'requeue'; leaseMs: number }
  | { kind: 'reattach'; heldBy: string }
);

/**
 * Where an order stands after each event, whatever it stood before. `evolve` follows it, and so
 * does the PostgreSQL log's queue table, from the flag each append carries (postgres-rows.ts):
 * the database keeps no rule of its own about which orders are queued.
 */
export const STATUS_AFTER: Readonly<Record<OrderEvent['type'], OrderStatus>> = {
  OrderPlaced: 'queued',
  OrderStarted: 'brewing',
  OrderFinished: 'ready',
  OrderCancelled: 'cancelled',
  OrderRequeued: 'queued',
  OrderReattached: 'queued',
};

/**
 * Whether `event` places its order: the first event of every order's stream, the only one
 * `evolve` takes with no order, and the one that carries the order's Idempotency-Key. The
 * stores keep their tables of live orders and keys from it, and check by it that a stream they
 * read is an order's.
 */
export function places(event: OrderEvent): event is OrderPlaced {
  return event.type === 'OrderPlaced';
}

/** Folds one event into the order. Pure; the log is trusted, so a malformed history throws. */
export function evolve(order: Order | undefined, event: OrderEvent): Order {
  const status = STATUS_AFTER[event.type];
  if (places(event)) {
    return {
      orderId: event.orderId,
      drink: event.drink,
      clientAddress: event.clientAddress,
      status,
      placedAt: event.at,
      heldBy: event.heldBy,
    };
  }
  if (!order) throw new Error(`${event.type} for order ${event.orderId} before OrderPlaced`);
  switch (event.type) {
    case 'OrderStarted':
      return { ...order, status, startedAt: event.at, startedBy: event.barista };
    case 'OrderFinished':
      return { ...order, status, finishedAt: event.at, finishedBy: event.barista };
    case 'OrderCancelled':
      return { ...order, status, cancelledAt: event.at, cancelReason: event.reason };
    case 'OrderRequeued':
      return { ...order, status, requeuedAt: event.at };
    case 'OrderReattached':
      return { ...order, status, heldBy: event.heldBy };
    default:
      exhaustive(event);
      return order;
  }
}

/**
 * Whether `event` settles its order: `decide` refuses every command to a ready or cancelled
 * order, so its stream is complete and the views may let it go. The PostgreSQL log's table of
 * live orders follows it too, from the flag each event's row carries (postgres-rows.ts).
 */
export function settles(event: Pick<OrderEvent, 'type'>): boolean {
  const status = STATUS_AFTER[event.type];
  return status === 'ready' || status === 'cancelled';
}

/** The rules of an order: what happens when `command` meets `order`. Pure; throws a DomainError to refuse. */
export function decide(command: OrderCommand, order: Order | undefined): OrderEvent[] {
  if (command.kind === 'place') {
    if (order) throw new OrderAlreadyPlaced(command.orderId);
    return [
      new OrderPlaced(
        command.orderId,
        command.drink,
        command.clientAddress,
        command.at,
        command.idempotency,
        command.heldBy,
      ),
    ];
  }
  if (!order) throw new OrderNotFound(command.orderId);
  switch (command.kind) {
    case 'start':
      requireStatus(order, 'queued');
      return [new OrderStarted(order.orderId, command.at, command.barista)];
    case 'finish':
      // The first barista may come back after the lease ran out: while nobody has started the
      // order again, their finish still counts. After a restart, whoever finishes first wins.
      if (!(order.status === 'queued' && order.requeuedAt !== undefined)) {
        requireStatus(order, 'brewing');
      }
      return [new OrderFinished(order.orderId, command.at, command.barista)];
    case 'cancel':
      // Only an order no barista has touched can be cancelled: a brewing one is finished.
      requireStatus(order, 'queued');
      return [new OrderCancelled(order.orderId, command.reason, command.at)];
    case 'requeue':
      requireStatus(order, 'brewing');
      if (command.at < (order.startedAt as number) + command.leaseMs) {
        throw new LeaseNotExpired(order.orderId);
      }
      return [new OrderRequeued(order.orderId, command.at)];
    case 'reattach':
      // A brewing order is not withdrawn when its holder dies (OrphanedOrders), so only a
      // queued one needs to say who holds its customer now.
      requireStatus(order, 'queued');
      return [new OrderReattached(order.orderId, command.heldBy, command.at)];
    default:
      exhaustive(command);
      return [];
  }
}

/**
 * Whether a customer who came back with the order's Idempotency-Key and waits on `instance`
 * must be recorded as held there (`reattach`): the order is queued, and the log names another
 * process as the one holding its customer, which may be gone or die before this one.
 */
export function heldElsewhere(order: Order, instance: string): boolean {
  return order.status === 'queued' && order.heldBy !== undefined && order.heldBy !== instance;
}

function requireStatus(order: Order, expected: OrderStatus): void {
  if (order.status !== expected) throw new OrderInWrongState(order.orderId, order.status, expected);
}
