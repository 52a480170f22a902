/**
 * A fixed amount of work for counting a server's instructions per order cycle (callgrind, see
 * apps/bench/callgrind-cycles.sh and docs/benchmarks.md, "What the service adds to node's
 * HTTP"): `count` customers at once, each on a new connection from an address of its own
 * (from index `first`), then one barista on a keep-alive connection starts and finishes each
 * order in turn. Every run makes the same requests: 3 × count, and a `GET /queue` every
 * POLL_MS (3 s) until all are queued, as many as the server takes to queue them.
 *
 *   node dist/apps/bench/src/order-cycles-in-turn.js <customer URL> <barista URL> <count> <first>
 */
import { Agent } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { countStatuses, customer, exchange, sourceAddress } from '@cafe/simulation';

const POLL_MS = 3000;

async function main(): Promise<void> {
  const [customerUrl, baristaUrl, countText, firstText] = process.argv.slice(2);
  const count = Number(countText);
  const first = Number(firstText);
  if (!baristaUrl || !Number.isInteger(count) || count < 1 || !Number.isInteger(first)) {
    throw new Error('usage: order-cycles-in-turn <customer URL> <barista URL> <count> <first>');
  }
  const order = new URL('order/', customerUrl);
  const barista = new URL(baristaUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const ask = async (method: string, path: string) => {
    const answer = await exchange({
      hostname: barista.hostname,
      port: barista.port,
      method,
      path,
      agent,
    });
    return { status: answer.status, body: answer.body as { order_id: string; queued: number } };
  };
  const served = Promise.all(
    Array.from({ length: count }, (_, i) =>
      customer(order, { localAddress: sourceAddress(first + i) }),
    ),
  );
  // Between polls the keep-alive connection idles for seconds, and a server may close it just as
  // the next poll goes out (Express's 5 s keep-alive timeout, on a server slowed by valgrind):
  // a poll is asked again, once, on a new connection.
  const queued = async () => {
    const answer = await ask('GET', '/queue').catch(() => ask('GET', '/queue'));
    return answer.body.queued;
  };
  let polls = 0;
  do {
    await sleep(POLL_MS);
    polls++;
  } while ((await queued()) < count);
  for (let i = 0; i < count; i++) {
    const started = await ask('GET', '/start/');
    if (started.status !== 200) throw new Error(`GET /start/ answered ${started.status}`);
    const id = encodeURIComponent(started.body.order_id);
    const finished = await ask('POST', `/finish/?order_id=${id}`);
    if (finished.status !== 200) throw new Error(`POST /finish/ answered ${finished.status}`);
  }
  const statuses = countStatuses(await served);
  agent.destroy();
  console.log(JSON.stringify({ cycles: count, polls, statuses }));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
