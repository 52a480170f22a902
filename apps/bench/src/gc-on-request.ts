/**
 * Preloaded into a café the bench starts (`node --expose-gc -r gc-on-request.js main.js`, with
 * an IPC channel). On the message "gc" it runs two full collections and answers with the
 * process's memory, so that the bench reads the heap the café keeps, not garbage it has not
 * collected yet, and with the CPU those collections took, so that the bench can leave its own
 * collections out of the café's CPU per order. On "cpu" it answers with the CPU used so far.
 */
const collect = (globalThis as { gc?: () => void }).gc;

function cpuMicros(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

process.on('message', (message) => {
  if (!process.send) return;
  if (message === 'cpu') {
    process.send({ cpuMicros: cpuMicros() });
    return;
  }
  if (message !== 'gc' || !collect) return;
  const before = cpuMicros();
  collect();
  collect();
  const { rss, heapUsed } = process.memoryUsage();
  process.send({ rss, heapUsed, gcCpuMicros: cpuMicros() - before });
});
// The channel must not keep a café alive that was told to stop.
process.channel?.unref();
