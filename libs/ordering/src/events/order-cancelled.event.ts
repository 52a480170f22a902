import type { CancelReason } from '../domain/order-status';

export class OrderCancelled {
  readonly type = 'OrderCancelled';
  constructor(
    public readonly orderId: string,
    public readonly reason: CancelReason,
    public readonly at: number,
  ) {}
}
