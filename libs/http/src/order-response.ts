import type { Drink, Order, OrderStatus, OrderView } from '@cafe/ordering';

/** An order as both apps show it: snake_case, ISO times, absent times left out. */
export interface OrderResponse {
  order_id: string;
  drink: Drink;
  status: OrderStatus;
  placed_at: string;
  started_at?: string;
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
    finished_at: iso(order.finishedAt),
    cancelled_at: iso(order.cancelledAt),
    cancel_reason: order.cancelReason,
  };
}

/** An order as a client polling for it sees it: with its place in the queue while queued. */
export interface OrderStatusResponse extends OrderResponse {
  position?: number;
}

export function toOrderStatusResponse({ order, position }: OrderView): OrderStatusResponse {
  return { ...toOrderResponse(order), position };
}
