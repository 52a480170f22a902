/**
 * How many 429s per second the customer app answers an address it has blocked, on each
 * platform and for each spelling of the order route it accepts: the cost of a refusal alone,
 * over keep-alive connections. (`make bench`, scenario 2, measures them with a new connection
 * per order, as a flood arrives.) The service runs in its own process with a burst limit of 1,
 * so the second order blocks the address. Every spelling should be refused as cheaply as
 * `/order/`: one that went through the platform would show as a rate several times lower.
 *
 *   npx nest build && node dist/apps/bench/src/blocked-refusals.js [seconds=10] [connections=50]
 */
import { Agent } from 'node:http';
import { HTTP_ADAPTERS, type HttpAdapterName } from '@cafe/http';
import { exchange, FLOOD_ADDRESS } from '@cafe/simulation';
import { CAFE_MAIN, startServer } from './servers';

/** The spellings of the order route a platform accepts (issue 19), measured one after another. */
const SPELLINGS = ['/order/', '/ORDER/', '/Order', 'http://h/order/', '/order/#', '/%6Frder/'];

async function measure(adapter: HttpAdapterName, seconds: number, connections: number) {
  const service = await startServer(CAFE_MAIN, {
    HTTP_ADAPTER: adapter,
    THROTTLE_BURST_LIMIT: '1',
  });
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const port = Number(new URL(service.customerUrl).port);
  try {
    for (const path of SPELLINGS) {
      const counts: Record<number, number> = {};
      const until = performance.now() + seconds * 1000;
      const connection = async () => {
        while (performance.now() < until) {
          const { status } = await exchange({
            host: '127.0.0.1',
            port,
            method: 'POST',
            path,
            agent,
            localAddress: FLOOD_ADDRESS,
          });
          counts[status] = (counts[status] ?? 0) + 1;
        }
      };
      const started = performance.now();
      await Promise.all(Array.from({ length: connections }, connection));
      const elapsed = (performance.now() - started) / 1000;
      const perSecond = Math.round((counts[429] ?? 0) / elapsed);
      console.log(
        `${adapter} ${path}: ${perSecond} answers 429/s (${JSON.stringify(counts)} in ${elapsed.toFixed(1)} s)`,
      );
    }
  } finally {
    agent.destroy();
    await service.stop();
  }
}

async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? 10);
  const connections = Number(process.argv[3] ?? 50);
  for (const adapter of HTTP_ADAPTERS) await measure(adapter, seconds, connections);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
