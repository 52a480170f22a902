import type { ServerResponse } from 'node:http';

export interface ServerSentEventsOptions {
  /** A comment this often keeps proxies and browsers from timing out a quiet stream. */
  readonly heartbeatMs: number;
  /** A reader with more than this unsent is dropped rather than buffered without bound. */
  readonly maxBufferedBytes: number;
}

export const SERVER_SENT_EVENTS_DEFAULTS: ServerSentEventsOptions = {
  heartbeatMs: 15_000,
  // About a thousand events behind; the readers are capped (EVENT_STREAM_READERS), so all of
  // them together hold a bounded amount.
  maxBufferedBytes: 256 * 1024,
};

export interface ServerSentEvent {
  readonly id: number;
  readonly event: string;
  readonly data: unknown;
}

/** One event as the stream carries it: made once, sent to every reader. */
export function eventFrame({ id, event, data }: ServerSentEvent): string {
  return `id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * One `text/event-stream` response. Its memory is bounded: once more than `maxBufferedBytes`
 * wait for the reader, the connection is destroyed; a browser's EventSource then reconnects
 * with `Last-Event-ID` and is replayed what it missed, at its own pace.
 */
export class ServerSentEvents {
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    private readonly response: ServerResponse,
    private readonly options: ServerSentEventsOptions,
  ) {
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      // nginx would otherwise hold events back to fill its buffers.
      'x-accel-buffering': 'no',
    });
    response.flushHeaders();
    this.heartbeat = setInterval(() => this.write(': heartbeat\n\n'), options.heartbeatMs);
    response.once('close', () => clearInterval(this.heartbeat));
  }

  get isOpen(): boolean {
    return !this.response.destroyed && !this.response.writableEnded;
  }

  /** Writes one event, as `eventFrame` made it; false when the reader is behind (or gone). */
  send(frame: string): boolean {
    return this.write(frame);
  }

  /** Resolves true once what was sent has been handed to the socket, false if the reader left first. */
  drained(): Promise<boolean> {
    if (!this.isOpen) return Promise.resolve(false);
    if (!this.response.writableNeedDrain) return Promise.resolve(true);
    return new Promise((resolve) => {
      const settle = (drained: boolean) => () => {
        this.response.off('drain', onDrain).off('close', onClose);
        resolve(drained);
      };
      const onDrain = settle(true);
      const onClose = settle(false);
      this.response.once('drain', onDrain).once('close', onClose);
    });
  }

  /** Ends the stream cleanly: the service is going away. */
  end(): void {
    if (this.isOpen) this.response.end();
  }

  /** Runs `listener` once the stream is over, whoever ended it. */
  onClose(listener: () => void): void {
    this.response.once('close', listener);
  }

  private write(chunk: string): boolean {
    if (!this.isOpen) return false;
    const accepted = this.response.write(chunk);
    if (this.response.writableLength > this.options.maxBufferedBytes) {
      this.response.destroy();
      return false;
    }
    return accepted;
  }
}
