/**
 * Where the core's time comes from, wherever time decides something: the moment a command is
 * accepted (what `decide` compares a lease against) and when a brewing order's lease runs out.
 * Injected, so that a test moves time instead of sleeping through it.
 */
export abstract class Clock {
  /** Epoch milliseconds. */
  abstract now(): number;

  /** Calls `fire` once, `ms` from now; the function returned cancels it. Never keeps the process alive on its own. */
  abstract after(ms: number, fire: () => void): () => void;
}

/** The machine's clock and node's timers. */
export class SystemClock extends Clock {
  now(): number {
    return Date.now();
  }

  after(ms: number, fire: () => void): () => void {
    const timer = setTimeout(fire, ms);
    // Unref'd: a pending lease never keeps the process (or a test) alive on its own.
    timer.unref();
    return () => clearTimeout(timer);
  }
}
