import { Query } from '@nestjs/cqrs';
import type { Order } from '../domain/order';

export interface BoardSnapshot {
  /** The last event included: follow the log after it. */
  readonly position: number;
  /** Queued and brewing orders, then the last ready ones. */
  readonly orders: readonly Order[];
  readonly readyShown: number;
}

export class GetBoardQuery extends Query<BoardSnapshot> {}
