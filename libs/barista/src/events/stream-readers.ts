/** How many event streams may be open (EVENT_STREAM_READERS, EVENT_STREAM_READERS_PER_ADDRESS). */
export interface StreamReaderLimits {
  readonly total: number;
  readonly perAddress: number;
}

/**
 * The open event streams, counted per client address and in all. Each holds a socket, a
 * heartbeat timer and up to its buffer's bound of unsent events, and every event is written to
 * each: without a ceiling, a few thousand readers slowed every order down.
 */
export class StreamReaders {
  private readonly byAddress = new Map<string, number>();
  private total = 0;

  constructor(readonly limits: StreamReaderLimits) {}

  /** Takes a reader's place for `address`; false when it, or the café, holds the most it may. */
  tryOpen(address: string): boolean {
    const own = this.byAddress.get(address) ?? 0;
    if (this.total >= this.limits.total || own >= this.limits.perAddress) return false;
    this.byAddress.set(address, own + 1);
    this.total++;
    return true;
  }

  close(address: string): void {
    const own = (this.byAddress.get(address) ?? 0) - 1;
    if (own > 0) this.byAddress.set(address, own);
    else this.byAddress.delete(address);
    this.total--;
  }
}
