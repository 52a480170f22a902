/** Ten minutes: a barista who has not finished an americano by then has walked away. */
export const DEFAULT_BREW_LEASE_MS = 600_000;

/** How long a barista may brew one order before it goes back to the front of the queue. */
export class BrewLease {
  constructor(readonly ms: number = DEFAULT_BREW_LEASE_MS) {}

  expiresAt(startedAt: number): number {
    return startedAt + this.ms;
  }
}
