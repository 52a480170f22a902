export class OrderFinished {
  readonly type = 'OrderFinished';
  constructor(
    public readonly orderId: string,
    public readonly at: number,
  ) {}
}
