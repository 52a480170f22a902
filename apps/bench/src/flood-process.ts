/**
 * The flooding client of scenario 7 in a process of its own, as an attacker on another machine
 * would be: its thousands of sockets cost the bench's event loop, which times the regulars,
 * nothing. Started ahead (node's start-up is slow), it prints `ready`, sends its orders at once,
 * each on a new connection from loopback's default address (127.0.0.1, unbound: binding
 * thousands of sockets to one address makes Linux scan for a port at each bind(), and the
 * flood would trickle in over seconds), when a line arrives on stdin, and prints how they were
 * answered as JSON when all are, or on SIGTERM (unanswered counted as status -1).
 *
 *   node dist/apps/bench/src/flood-process.js <orderUrl> <count>
 */
import { customer } from './crowd';

const [url, countText] = process.argv.slice(2);
const count = Number(countText);
const statuses: Record<number, number> = {};
let answered = 0;
let reported = false;

function report(): void {
  if (reported) return;
  reported = true;
  if (answered < count) statuses[-1] = count - answered;
  process.stdout.write(`${JSON.stringify(statuses)}\n`, () => process.exit(0));
}

process.once('SIGTERM', report);
process.stdin.once('data', () => {
  const orderUrl = new URL(url);
  for (let i = 0; i < count; i++) {
    void customer(orderUrl).then(({ status }) => {
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (++answered === count) report();
    });
  }
});
process.stdout.write('ready\n');
