import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { exhaustive } from '../domain/exhaustive';
import { EventStore, type StoredEvent } from '../event-store/event-store';
import { OrderReadModel } from '../orders/order-states';
import { QueueProjection } from '../projections/queue.projection';
import { WaitingCustomers } from '../waiting/waiting-customers';

/** Waits run from milliseconds (tests, simulators) to a 15-minute rush and beyond, in seconds. */
const WAIT_BUCKETS_SECONDS = [0.01, 0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600, 900, 1800, 3600];
const APPEND_BUCKETS_SECONDS = [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1];

export const PROMETHEUS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

let processRegistry: Registry | undefined;

/**
 * Node's own metrics (CPU, memory, event loop, GC) describe the process, not a café, and
 * collecting them installs process-wide observers: one registry per process, however many
 * cores a test boots.
 */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/**
 * The café's Prometheus metrics, in a registry of its own so that several cores in one
 * process (tests) never share a counter. Counters and histograms are derived from the events
 * as they become durable; gauges read the views when scraped.
 */
@Injectable()
export class CafeMetrics {
  private readonly registry = new Registry();
  private readonly events = new Counter({
    name: 'cafe_events_total',
    help: 'Events appended to the log, by type',
    labelNames: ['type'],
    registers: [this.registry],
  });
  private readonly cancellations = new Counter({
    name: 'cafe_cancellations_total',
    help: 'Orders cancelled, by reason',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  private readonly throttled = new Counter({
    name: 'cafe_throttled_requests_total',
    help: 'Requests refused by the flood defence, by throttler',
    labelNames: ['throttler'],
    registers: [this.registry],
  });
  private readonly doorRefusals = new Counter({
    name: 'cafe_door_refusals_total',
    help: "Connections and requests the customer port's door refused before parsing them, by reason: per_address (open connections), requests_in_progress (per address), descriptor_reserve (the port holds all the descriptors it may)",
    labelNames: ['reason'],
    registers: [this.registry],
  });
  private readonly floodLimitsShared = new Gauge({
    name: 'cafe_flood_limits_shared',
    help: '1 while the flood defence shares its limits with other instances through Redis (REDIS_URL), 0 while this instance limits on its own',
    registers: [this.registry],
  });
  private readonly queueWait = this.waitHistogram(
    'cafe_queue_wait_seconds',
    'From placed to started (the last start, if an order was requeued)',
  );
  private readonly brewTime = this.waitHistogram('cafe_brew_seconds', 'From started to finished');
  private readonly totalWait = this.waitHistogram(
    'cafe_total_wait_seconds',
    'From placed to ready: what a customer waited',
  );
  private readonly appendLatency = new Histogram({
    name: 'cafe_event_store_append_seconds',
    help: 'Time for an append to become durable, including the inline projections',
    buckets: APPEND_BUCKETS_SECONDS,
    registers: [this.registry],
  });
  constructor(
    store: EventStore,
    private readonly orders: OrderReadModel,
    queue: QueueProjection,
    waiting: WaitingCustomers,
  ) {
    this.gauge('cafe_queue_depth', 'Orders queued, not yet started', () => queue.size);
    this.gauge('cafe_orders_brewing', 'Orders started, not yet finished', () =>
      orders.count('brewing'),
    );
    this.gauge('cafe_customers_waiting', 'Customers holding a request open', () => waiting.size);
    // Subscribed for the store's whole life, not in onModuleInit: the HTTP apps receive this
    // instance through CoreBridgeModule, and Nest runs lifecycle hooks again in every module
    // that provides it, which would count each event once per app.
    store.subscribe((batch) => batch.forEach((stored) => this.apply(stored)));
  }

  /** Called by the flood defence for each request it refuses. */
  countThrottled(throttler: string): void {
    this.throttled.inc({ throttler });
  }

  /** Called by the customer port's door (`ConnectionDoor`) for each connection or request it refuses. */
  countDoorRefusal(reason: string): void {
    this.doorRefusals.inc({ reason });
  }

  /** Called by the flood defence when Redis becomes reachable or unreachable. */
  setFloodLimitsShared(shared: boolean): void {
    this.floodLimitsShared.set(shared ? 1 : 0);
  }

  /** Starts timing one append; call the result once it settled. */
  startAppendTimer(): () => void {
    const stop = this.appendLatency.startTimer();
    return () => void stop();
  }

  /** The café's and the process's metrics in Prometheus text format (PROMETHEUS_CONTENT_TYPE). */
  scrape(): Promise<string> {
    return Registry.merge([this.registry, processMetrics()]).metrics();
  }

  private apply({ event }: StoredEvent): void {
    this.events.inc({ type: event.type });
    // The order view holds the placement and start times; it never forgets an order.
    const order = this.orders.get(event.orderId);
    const since = (from: number | undefined) =>
      from === undefined ? undefined : (event.at - from) / 1000;
    switch (event.type) {
      case 'OrderStarted':
        observe(this.queueWait, since(order?.placedAt));
        break;
      case 'OrderFinished':
        observe(this.brewTime, since(order?.startedAt));
        observe(this.totalWait, since(order?.placedAt));
        break;
      case 'OrderCancelled':
        this.cancellations.inc({ reason: event.reason });
        break;
      // Counted by type above; no time of theirs is measured.
      case 'OrderPlaced':
      case 'OrderRequeued':
      case 'OrderReattached':
        break;
      default:
        exhaustive(event);
    }
  }

  private waitHistogram(name: string, help: string): Histogram {
    return new Histogram({ name, help, buckets: WAIT_BUCKETS_SECONDS, registers: [this.registry] });
  }

  private gauge(name: string, help: string, read: () => number): void {
    new Gauge({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.set(read());
      },
    });
  }
}

function observe(histogram: Histogram, seconds: number | undefined): void {
  if (seconds !== undefined) histogram.observe(seconds);
}
