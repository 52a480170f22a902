/**
 * Preloaded into a café the bench starts (`node --expose-gc -r gc-on-request.js main.js`, with
 * an IPC channel): on the message "gc" it runs two full collections and answers with the
 * process's memory, so that the bench reads the heap the café keeps, not garbage it has not
 * collected yet.
 */
const collect = (globalThis as { gc?: () => void }).gc;

process.on('message', (message) => {
  if (message !== 'gc' || !collect || !process.send) return;
  collect();
  collect();
  const { rss, heapUsed } = process.memoryUsage();
  process.send({ rss, heapUsed });
});
// The channel must not keep a café alive that was told to stop.
process.channel?.unref();
