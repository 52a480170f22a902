import { Clock } from '@cafe/ordering';

interface Timer {
  readonly dueAt: number;
  readonly fire: () => void;
}

/** A clock that moves only when told to: `advance` runs the timers that fall due, in time order. */
export class ManualClock extends Clock {
  private readonly timers = new Set<Timer>();

  constructor(private time: number) {
    super();
  }

  now(): number {
    return this.time;
  }

  after(ms: number, fire: () => void): () => void {
    const timer = { dueAt: this.time + ms, fire };
    this.timers.add(timer);
    return () => this.timers.delete(timer);
  }

  /** Timers set and not yet fired nor cancelled. */
  get pending(): number {
    return this.timers.size;
  }

  /**
   * Moves time forward by `ms`, firing each timer at its due time and letting what it started
   * (commands, appends, the timers they set) settle before time moves on.
   */
  async advance(ms: number): Promise<void> {
    const until = this.time + ms;
    for (;;) {
      const next = [...this.timers]
        .filter(({ dueAt }) => dueAt <= until)
        .sort((a, b) => a.dueAt - b.dueAt)[0];
      if (!next) break;
      this.time = Math.max(this.time, next.dueAt);
      this.timers.delete(next);
      next.fire();
      await settle();
    }
    this.time = until;
    await settle();
  }
}

/** Lets promise chains and the callbacks they queue run (an in-memory append settles in a few turns). */
async function settle(): Promise<void> {
  for (let turn = 0; turn < 10; turn++) await new Promise((done) => setImmediate(done));
}
