/**
 * Scenario 9, in its own process: the flood guard's throttler storage before issue 17 (a
 * sliding window: one expiry per counted order) and after (GCRA: one number per key), each fed
 * the orders the guard feeds it (a `burst` and a `sustained` key per address) at a clock of its
 * own. Prints one JSON line. Usage: node --expose-gc throttler-storage.js [addresses]
 */
import type { ThrottlerStorage } from '@nestjs/throttler';
import { GcraThrottlerStorage } from '@cafe/customer';
import { SystemClock } from '@cafe/ordering';
import { SlidingWindowStorage } from './sliding-window-storage';

const BURST = { ttl: 10_000, limit: 300 };
const SUSTAINED = { ttl: 3_600_000, limit: 1_000 };
const BLOCK_MS = 900_000;
/** The window the CPU is measured at: an address with this many orders in it. */
const IN_WINDOW = 1_000;
const MEASURED_ORDERS = 100_000;

let clock = 1_700_000_000_000;
// Both storages read it: the sliding window directly, GCRA through its SystemClock.
Date.now = () => clock;

const storages: Record<string, () => ThrottlerStorage> = {
  before: () => new SlidingWindowStorage(),
  after: () => new GcraThrottlerStorage(Number.MAX_SAFE_INTEGER, new SystemClock()),
};

function heapAfterGc(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
}

/** One order of `address`, as the guard counts it: the burst key, then the sustained one. */
async function order(storage: ThrottlerStorage, address: string): Promise<void> {
  await storage.increment(`burst:${address}`, BURST.ttl, BURST.limit, BLOCK_MS, 'burst');
  await storage.increment(`sustained:${address}`, SUSTAINED.ttl, 1e9, BLOCK_MS, 'sustained');
}

/** Heap per address, every address with `orders` in its windows (one a second). */
async function bytesPerAddress(make: () => ThrottlerStorage, addresses: number, orders: number) {
  const before = heapAfterGc();
  const storage = make();
  for (let n = 0; n < orders; n++) {
    clock += 1000;
    for (let a = 0; a < addresses; a++)
      await order(storage, `10.${a >> 16}.${(a >> 8) & 255}.${a & 255}`);
  }
  const bytes = (heapAfterGc() - before) / addresses;
  (storage as unknown as { onApplicationShutdown(): void }).onApplicationShutdown();
  return Math.round(bytes);
}

/** CPU per order of one address that keeps `IN_WINDOW` orders in its sustained window. */
async function cpuPerOrder(make: () => ThrottlerStorage): Promise<number> {
  const storage = make();
  const step = SUSTAINED.ttl / IN_WINDOW;
  for (let n = 0; n < 2 * IN_WINDOW; n++) {
    clock += step;
    await storage.increment('sustained:a', SUSTAINED.ttl, 1e9, BLOCK_MS, 'sustained');
  }
  const started = process.cpuUsage();
  for (let n = 0; n < MEASURED_ORDERS; n++) {
    clock += step;
    await storage.increment('sustained:a', SUSTAINED.ttl, 1e9, BLOCK_MS, 'sustained');
  }
  const { user, system } = process.cpuUsage(started);
  (storage as unknown as { onApplicationShutdown(): void }).onApplicationShutdown();
  return (user + system) / MEASURED_ORDERS;
}

async function main(): Promise<void> {
  const addresses = Number(process.argv[2] ?? 20_000);
  const results: Record<string, unknown> = {};
  for (const [name, make] of Object.entries(storages)) {
    results[name] = {
      bytesPerAddressOneOrder: await bytesPerAddress(make, addresses, 1),
      bytesPerAddress100Orders: await bytesPerAddress(make, Math.ceil(addresses / 10), 100),
      cpuUsPerOrderAt1000: await cpuPerOrder(make),
    };
  }
  console.log(JSON.stringify({ addresses, ...results }));
}

void main();
