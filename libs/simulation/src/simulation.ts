import { Agent } from 'node:http';
import { type Answer, baseUrl, send } from './http-client';
import { meanOf, type Range, SeededRandom } from './random';
import { noOutcomes, type Outcomes, outcomeOf, type SimulationReport, summarise } from './report';
import { DEFAULT_SOURCE_ADDRESS, isLoopbackHost, sourceAddress } from './source-addresses';

export interface SimulationOptions {
  customerUrl: string;
  baristaUrl: string;
  /** Regular customers, arriving in groups. */
  customers: number;
  /** Each group's size is drawn from one of these ranges, picked at random. */
  groupSizes: readonly Range[];
  /** Story seconds between two groups. */
  groupGap: Range;
  baristas: number;
  /** Story seconds a barista brews one americano (the task says 30-60). */
  brew: Range;
  /** Orders the flooding client sends at once, at the start. */
  flood: number;
  /** Where the flood comes from when the target is loopback; DEFAULT_SOURCE_ADDRESS is not bound. */
  floodIp: string;
  /** Distinct loopback addresses for the regulars (reused round-robin); 0 binds none. */
  sourceIps: number;
  /** Real seconds per story second: 0.001 turns 30-60 s of brewing into 30-60 ms. */
  timeScale: number;
  seed: number;
  /** Real milliseconds after which the run stops and whatever is open counts as unanswered. */
  deadlineMs?: number;
  /**
   * Baristas work while customers arrive, as in a café. With this hook they start only once
   * every regular's order is sent and it has resolved: a benchmark measures held waits here.
   */
  beforeBaristas?: () => Promise<void>;
}

/** The live state of a run, for a progress display. */
export interface Progress {
  total: number;
  answered: number;
  queued: number;
  brewing: number;
  ready: number;
  throttled: number;
  cancelled: number;
  errors: number;
  elapsedMs: number;
}

/** What the reference barista client does on 404: wait a second (scaled) and ask again. */
const EMPTY_QUEUE_BACKOFF_STORY_MS = 1000;

type Kind = 'regulars' | 'flood';

/**
 * The café's story played against a running service: regulars in groups, each from its own
 * address, a flooding client, and baristas looping start → brew → finish. Ends once every
 * regular has an answer (with no regulars: once the flood has), at the deadline, or on `stop()`.
 * One run per instance.
 */
export class Simulation {
  private readonly orderUrl: URL;
  private readonly startUrl: URL;
  private readonly baristaBase: URL;
  private readonly bindAddresses: boolean;
  private readonly arrivals: SeededRandom;
  private readonly brewing: SeededRandom;
  /**
   * A customer sends one order and hangs up (Connection: close), so that answered customers
   * hold no socket, here or in the service, while thousands of others still wait.
   */
  private readonly customerAgent = new Agent({ keepAlive: false });
  private readonly baristaAgent = new Agent({ keepAlive: true });
  /**
   * How the end of the run reaches what is open. Not an AbortSignal: each listener added to one
   * walks all the others, which made the run quadratic in open requests (82% of its time at
   * 20,000 customers). Open requests end when the agents destroy their sockets; each pause
   * registers its wake-up here, in a Set (O(1) to add and remove).
   */
  private ended = false;
  private readonly pausesToWake = new Set<() => void>();
  private announceEnd!: () => void;
  private readonly endAnnounced = new Promise<void>((resolve) => (this.announceEnd = resolve));
  private readonly outcomes: Record<Kind, Outcomes> = {
    regulars: noOutcomes(),
    flood: noOutcomes(),
  };
  private readonly regularWaitsMs: number[] = [];
  private readonly finishToAnswerMs: number[] = [];
  private readonly finishSentAt = new Map<string, number>();
  private readonly started = new Set<string>();
  private startedTwice = 0;
  private baristaErrors = 0;
  private inFlight = 0;
  private brewingNow = 0;
  private startedAt = 0;
  private cpuAtStart?: NodeJS.CpuUsage;
  private lastServedAt = 0;
  private firstThrottledAt?: number;
  private lastThrottledAt = 0;

  constructor(private readonly options: SimulationOptions) {
    // Parsed once: every order and every barista turn would otherwise parse them again.
    this.orderUrl = new URL('order/', baseUrl(options.customerUrl));
    this.baristaBase = baseUrl(options.baristaUrl);
    this.startUrl = new URL('start/', this.baristaBase);
    this.bindAddresses = isLoopbackHost(this.orderUrl.hostname);
    this.arrivals = new SeededRandom(options.seed);
    this.brewing = new SeededRandom(options.seed + 1);
  }

  progress(): Progress {
    const all = [this.outcomes.regulars, this.outcomes.flood];
    const sum = (key: keyof Outcomes) => all.reduce((total, o) => total + o[key], 0);
    return {
      total: this.options.customers + this.options.flood,
      answered: sum('served') + sum('throttled') + sum('cancelled') + sum('errors'),
      queued: Math.max(0, this.inFlight - this.brewingNow),
      brewing: this.brewingNow,
      ready: sum('served'),
      throttled: sum('throttled'),
      cancelled: sum('cancelled'),
      errors: sum('errors'),
      elapsedMs: this.startedAt ? performance.now() - this.startedAt : 0,
    };
  }

  async run(): Promise<SimulationReport> {
    const { options } = this;
    this.startedAt = performance.now();
    this.cpuAtStart = process.cpuUsage();
    const floodAddress =
      this.bindAddresses && options.floodIp !== DEFAULT_SOURCE_ADDRESS
        ? options.floodIp
        : undefined;
    const flood = Array.from({ length: options.flood }, () => this.order('flood', floodAddress));
    const regulars: Promise<void>[] = [];
    const arrived = this.arrive(regulars);
    const baristasMayStart = options.beforeBaristas
      ? arrived.then(options.beforeBaristas)
      : Promise.resolve();
    const baristas = baristasMayStart.then(async () => {
      await Promise.all(Array.from({ length: options.baristas }, () => this.barista()));
    });
    const deadline =
      options.deadlineMs === undefined
        ? undefined
        : setTimeout(() => this.stop(), options.deadlineMs);
    try {
      await Promise.race([
        arrived.then(() => Promise.all(options.customers > 0 ? regulars : flood)),
        this.endAnnounced,
        // Baristas only end once stopped; a failing hook must not leave the run waiting forever.
        baristas.then(() => new Promise(() => undefined)),
      ]);
    } finally {
      clearTimeout(deadline);
      this.stop();
    }
    await baristas;
    return this.report();
  }

  /** Ends the run now: what is still open counts as unanswered, and `run()` resolves with the report. */
  stop(): void {
    if (this.ended) return;
    this.ended = true;
    for (const wake of this.pausesToWake) wake();
    // Destroying their sockets fails every request still open.
    this.customerAgent.destroy();
    this.baristaAgent.destroy();
    this.announceEnd();
  }

  /** Sends the regulars group by group; resolves once the last one's order is on its way. */
  private async arrive(regulars: Promise<void>[]): Promise<void> {
    const { customers, groupSizes, groupGap, sourceIps, timeScale } = this.options;
    let index = 0;
    while (index < customers && !this.ended) {
      const drawn = this.arrivals.integer(this.arrivals.pick(groupSizes));
      const size = Math.min(Math.max(1, drawn), customers - index);
      for (let member = 0; member < size; member++, index++) {
        const address =
          this.bindAddresses && sourceIps > 0 ? sourceAddress(index % sourceIps) : undefined;
        regulars.push(this.order('regulars', address));
      }
      if (index < customers) await this.pause(this.arrivals.between(groupGap) * 1000 * timeScale);
    }
  }

  /** One customer: orders, waits however long it takes, and records how it ended. Never rejects. */
  private async order(kind: Kind, localAddress: string | undefined): Promise<void> {
    const outcome = this.outcomes[kind];
    outcome.ordered++;
    this.inFlight++;
    const sentAt = performance.now();
    try {
      const answer = await send(this.orderUrl, 'POST', {
        agent: this.customerAgent,
        localAddress,
        json: { drink: 'americano' },
      });
      this.record(kind, answer, sentAt);
    } catch {
      // Failed by the end of the run: counted as unanswered by report().
      if (!this.ended) outcome.errors++;
    } finally {
      this.inFlight--;
    }
  }

  private record(kind: Kind, answer: Answer, sentAt: number): void {
    const outcome = this.outcomes[kind];
    const now = performance.now();
    const counted = outcomeOf(answer);
    outcome[counted]++;
    if (counted === 'served') {
      this.lastServedAt = now;
      if (kind === 'regulars') this.regularWaitsMs.push(now - sentAt);
      const orderId = orderIdOf(answer) ?? '';
      const finishSentAt = this.finishSentAt.get(orderId);
      if (finishSentAt !== undefined) {
        this.finishToAnswerMs.push(now - finishSentAt);
        this.finishSentAt.delete(orderId);
      }
    } else if (counted === 'throttled') {
      this.firstThrottledAt ??= now;
      this.lastThrottledAt = now;
    }
  }

  /** A barista: takes the oldest order, brews it, finishes it; backs off while the queue is empty. */
  private async barista(): Promise<void> {
    const agent = this.baristaAgent;
    const backoffMs = Math.max(1, EMPTY_QUEUE_BACKOFF_STORY_MS * this.options.timeScale);
    while (!this.ended) {
      let answer: Answer;
      try {
        answer = await send(this.startUrl, 'GET', { agent });
      } catch {
        if (!this.ended) this.baristaErrors++;
        await this.pause(backoffMs);
        continue;
      }
      const orderId = orderIdOf(answer);
      if (answer.status !== 200 || orderId === undefined) {
        if (answer.status !== 404) this.baristaErrors++;
        await this.pause(backoffMs);
        continue;
      }
      if (this.started.has(orderId)) this.startedTwice++;
      this.started.add(orderId);
      this.brewingNow++;
      await this.pause(this.brewing.between(this.options.brew) * 1000 * this.options.timeScale);
      this.brewingNow--;
      if (this.ended) break;
      this.finishSentAt.set(orderId, performance.now());
      const finishUrl = new URL(
        `finish/?order_id=${encodeURIComponent(orderId)}`,
        this.baristaBase,
      );
      try {
        const finished = await send(finishUrl, 'POST', { agent });
        if (finished.status !== 200) this.baristaErrors++;
      } catch {
        if (!this.ended) this.baristaErrors++;
      }
    }
  }

  /** Sleeps until `ms` have passed or the run ends; 0 ms does not yield to a timer at all. */
  private pause(ms: number): Promise<void> {
    if (ms <= 0 || this.ended) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.pausesToWake.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.pausesToWake.add(wake);
    });
  }

  private report(): SimulationReport {
    const { options } = this;
    const served = this.outcomes.regulars.served + this.outcomes.flood.served;
    const meanBrewMs = meanOf(options.brew) * 1000 * options.timeScale;
    return summarise({
      regulars: withUnanswered(this.outcomes.regulars),
      flood: withUnanswered(this.outcomes.flood),
      regularWaitsMs: this.regularWaitsMs,
      finishToAnswerMs: this.finishToAnswerMs,
      makespanMs: this.lastServedAt ? this.lastServedAt - this.startedAt : 0,
      idealMakespanMs: options.baristas > 0 ? (served * meanBrewMs) / options.baristas : 0,
      throttledSpanMs:
        this.firstThrottledAt === undefined ? 0 : this.lastThrottledAt - this.firstThrottledAt,
      startedTwice: this.startedTwice,
      baristaErrors: this.baristaErrors,
      cpuMs: cpuMsSince(this.cpuAtStart),
    });
  }
}

/**
 * Whatever has no answer when the run ends is unanswered: counted here rather than as each
 * request fails, because a stopped run reports before its destroyed sockets have all said so.
 */
function withUnanswered(o: Outcomes): Outcomes {
  return { ...o, unanswered: o.ordered - o.served - o.throttled - o.cancelled - o.errors };
}

function cpuMsSince(start: NodeJS.CpuUsage | undefined): number {
  if (!start) return 0;
  const { user, system } = process.cpuUsage(start);
  return (user + system) / 1000;
}

function orderIdOf(answer: Answer): string | undefined {
  const body = answer.body as { order_id?: unknown } | undefined;
  return typeof body?.order_id === 'string' ? body.order_id : undefined;
}
