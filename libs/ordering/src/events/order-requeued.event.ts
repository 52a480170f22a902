/** The barista's lease ran out: the order goes back to the front of the queue. */
export class OrderRequeued {
  readonly type = 'OrderRequeued';
  constructor(
    public readonly orderId: string,
    public readonly at: number,
  ) {}
}
