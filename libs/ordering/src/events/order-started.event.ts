export class OrderStarted {
  readonly type = 'OrderStarted';
  constructor(
    public readonly orderId: string,
    public readonly at: number,
  ) {}
}
