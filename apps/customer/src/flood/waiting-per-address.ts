/**
 * How many requests each address holds open right now, with a ceiling, as nginx's `limit_conn`
 * does. Rate limits count requests when they start; an order then waits for minutes, so a slow
 * trickle under the rate limits could still pile up waiting requests without this cap.
 */
export class WaitingPerAddress {
  private readonly counts = new Map<string, number>();

  constructor(readonly max: number) {}

  count(address: string): number {
    return this.counts.get(address) ?? 0;
  }

  /** Takes a place for `address`; false when it already holds `max`. */
  tryEnter(address: string): boolean {
    const count = this.count(address);
    if (count >= this.max) return false;
    this.counts.set(address, count + 1);
    return true;
  }

  leave(address: string): void {
    const count = this.count(address) - 1;
    if (count > 0) this.counts.set(address, count);
    else this.counts.delete(address);
  }
}
