export class OrderFinished {
  readonly type = 'OrderFinished';
  constructor(
    public readonly orderId: string,
    public readonly at: number,
    /** The barista's name from their token; absent when the barista app is open (and in logs written before names were kept). */
    public readonly barista?: string,
  ) {}
}
