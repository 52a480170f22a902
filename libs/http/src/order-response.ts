import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  CANCEL_REASONS,
  DRINKS,
  type Drink,
  type Order,
  ORDER_STATUSES,
  type OrderStatus,
  type OrderView,
} from '@cafe/ordering';

/** An order as both apps show it: snake_case, ISO times, absent times left out. */
export class OrderResponse {
  @ApiProperty({ format: 'uuid', example: '0b6f2d4e-8a43-4c1b-9a57-2f1d0c6e9b21' })
  order_id!: string;
  @ApiProperty({ enum: DRINKS, example: 'americano' })
  drink!: Drink;
  @ApiProperty({ enum: ORDER_STATUSES, example: 'ready' })
  status!: OrderStatus;
  @ApiProperty({ format: 'date-time', example: '2026-11-22T09:00:00.000Z' })
  placed_at!: string;
  @ApiPropertyOptional({ format: 'date-time', example: '2026-11-22T09:04:10.000Z' })
  started_at?: string;
  @ApiPropertyOptional({
    example: 'ana',
    description:
      'Who started the order (the latest start), by the name of their token; absent when the barista app takes no tokens',
  })
  barista?: string;
  @ApiPropertyOptional({
    format: 'date-time',
    description: "When a barista's lease ran out and the order went back to the queue, if it did",
  })
  requeued_at?: string;
  @ApiPropertyOptional({ format: 'date-time', example: '2026-11-22T09:04:52.000Z' })
  finished_at?: string;
  @ApiPropertyOptional({
    example: 'ana',
    description: 'Who declared the order ready, by the name of their token',
  })
  finished_by?: string;
  @ApiPropertyOptional({ format: 'date-time' })
  cancelled_at?: string;
  @ApiPropertyOptional({ enum: CANCEL_REASONS })
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
    barista: order.startedBy,
    requeued_at: iso(order.requeuedAt),
    finished_at: iso(order.finishedAt),
    finished_by: order.finishedBy,
    cancelled_at: iso(order.cancelledAt),
    cancel_reason: order.cancelReason,
  };
}

/** An order as a client polling for it sees it: with its place in the queue while queued. */
export class OrderStatusResponse extends OrderResponse {
  @ApiPropertyOptional({ example: 3, description: 'Orders ahead plus this one, while queued' })
  position?: number;
}

export function toOrderStatusResponse({ order, position }: OrderView): OrderStatusResponse {
  return { ...toOrderResponse(order), position };
}
