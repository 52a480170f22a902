import type { Drink, Order, OrderStatus } from '@cafe/ordering';

/** An order as both apps show it: snake_case, ISO times, absent times left out. */
export interface OrderResponse {
  order_id: string;
  drink: Drink;
  status: OrderStatus;
  placed_at: string;
  started_at?: string;
  /** When a barista's lease ran out and the order went back to the queue, if it did. */
  requeued_at?: string;
  finished_at?: string;
  cancelled_at?: string;
  cancel_reason?: string;
}

const iso = (at: number | undefined) => (at === undefined ? undefined : new Date(at).toISOString());

export function toOrderResponse(order: Order): OrderResponse {
  return {
    order_id: order.orderId,
    drink: order.drink,
    status: order.status,
    placed_at: new Date(order.placedAt).toISOString(),
    started_at: iso(order.startedAt),
    requeued_at: iso(order.requeuedAt),
    finished_at: iso(order.finishedAt),
    cancelled_at: iso(order.cancelledAt),
    cancel_reason: order.cancelReason,
  };
}
