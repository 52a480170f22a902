import { write, writeSync } from 'node:fs';
import type { DestinationStream } from 'pino';

/** Longest a line waits before it leaves: a line is seen within this, whatever the load. */
export const LINE_DELAY_MS = 50;
/** Lines gathered up to this size leave at once rather than at the end of the delay. */
const BATCH_CHARS = 64 * 1024;
/** Lines held in memory at most while the reader does not keep up; beyond, lines are dropped. */
const MAX_UNWRITTEN_CHARS = 16 * 1024 * 1024;
/** How long a batch waits before it is tried again on a full pipe. */
const FULL_PIPE_RETRY_MS = 10;
/** Longest the exit waits for a stalled reader to take the last lines. */
const EXIT_PATIENCE_MS = 5_000;

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
const isFull = (error: NodeJS.ErrnoException | null) =>
  error?.code === 'EAGAIN' || error?.code === 'EBUSY';

/**
 * Log lines onto a file descriptor (stdout) in the background and in batches (ADR 0011). A
 * line costs the event loop a copy into a string; the lines of up to LINE_DELAY_MS (or
 * BATCH_CHARS) leave in one write, done on libuv's threadpool, so a slow reader of a pipe
 * never holds up the event loop, and at most MAX_UNWRITTEN_CHARS wait for it. Handed to
 * pino's writer one by one, every line was a write on the threadpool and a wake-up of a worker
 * thread and of the event loop: some twenty system calls per order cycle (docs/benchmarks.md,
 * "The request log's cost"). At a clean exit, what is left is written synchronously, the batch
 * a full pipe held back included (pino's writer dropped that one).
 */
export class BackgroundLines implements DestinationStream {
  /** Lines not yet handed to a write. */
  private waiting = '';
  /** What the current write still has to write; empty when none is under way. */
  private writing = Buffer.alloc(0);
  private delay: NodeJS.Timeout | undefined;
  /** Set while the current write waits for a full pipe to drain. */
  private retry: NodeJS.Timeout | undefined;
  /** Set once the descriptor failed for good (the reader went away): lines are dropped. */
  private broken = false;

  constructor(private readonly fd: number) {
    process.once('exit', () => this.writeAllNow());
  }

  write(line: string): void {
    if (this.broken) return;
    if (this.waiting.length + this.writing.length + line.length > MAX_UNWRITTEN_CHARS) return;
    this.waiting += line;
    if (this.writing.length > 0) return; // the write under way schedules what comes after it
    if (this.waiting.length >= BATCH_CHARS) this.startWrite();
    // Not unref'd: a process whose work is done lives on for the delay and writes its last lines.
    else this.delay ??= setTimeout(() => this.startWrite(), LINE_DELAY_MS);
  }

  private startWrite(): void {
    clearTimeout(this.delay);
    this.delay = undefined;
    if (!this.waiting || this.broken) return;
    this.writing = Buffer.from(this.waiting);
    this.waiting = '';
    this.writeSome();
  }

  private readonly writeSome = (): void => {
    this.retry = undefined;
    write(this.fd, this.writing, (error, written) => {
      if (isFull(error)) {
        this.retry = setTimeout(this.writeSome, FULL_PIPE_RETRY_MS);
        return;
      }
      if (error) return this.breakDown();
      this.writing = this.writing.subarray(written);
      if (this.writing.length > 0) return this.writeSome();
      if (this.waiting.length >= BATCH_CHARS) this.startWrite();
      else if (this.waiting) this.delay ??= setTimeout(() => this.startWrite(), LINE_DELAY_MS);
    });
  };

  private breakDown(): void {
    this.broken = true;
    this.waiting = '';
    this.writing = Buffer.alloc(0);
  }

  /**
   * On `exit`, when no more turns come: the batch a full pipe held back and the lines waiting.
   * A write that is on the threadpool at this very moment finishes there or not at all.
   */
  private writeAllNow(): void {
    clearTimeout(this.delay);
    clearTimeout(this.retry);
    const held = this.retry ? this.writing : Buffer.alloc(0);
    let rest = Buffer.concat([held, Buffer.from(this.waiting)]);
    this.waiting = '';
    const giveUpAt = Date.now() + EXIT_PATIENCE_MS;
    while (rest.length > 0 && !this.broken && Date.now() < giveUpAt) {
      try {
        rest = rest.subarray(writeSync(this.fd, rest));
      } catch (error) {
        if (isFull(error as NodeJS.ErrnoException)) sleep(FULL_PIPE_RETRY_MS);
        else this.broken = true;
      }
    }
  }
}
