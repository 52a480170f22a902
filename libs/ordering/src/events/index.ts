import type { OrderCancelled } from './order-cancelled.event';
import type { OrderFinished } from './order-finished.event';
import type { OrderPlaced } from './order-placed.event';
import type { OrderReattached } from './order-reattached.event';
import type { OrderRequeued } from './order-requeued.event';
import type { OrderStarted } from './order-started.event';

export { OrderCancelled } from './order-cancelled.event';
export { OrderFinished } from './order-finished.event';
export { type IdempotencyClaim, OrderPlaced } from './order-placed.event';
export { OrderReattached } from './order-reattached.event';
export { OrderRequeued } from './order-requeued.event';
export { OrderStarted } from './order-started.event';

/**
 * Every change of an order. Events read back from a log are plain objects of the same shape,
 * so code switches on `type`, never on `instanceof`.
 */
export type OrderEvent =
  OrderPlaced | OrderStarted | OrderFinished | OrderCancelled | OrderRequeued | OrderReattached;
