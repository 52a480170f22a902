import { type IncomingMessage, request } from 'node:http';
import { eventually } from './http-client';

export interface ReceivedEvent {
  id: string;
  event: string;
  // Tests read whatever JSON came back.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  data: any;
}

/** A Server-Sent Events reader that keeps everything it was sent, for assertions. */
export class SseClient {
  readonly events: ReceivedEvent[] = [];
  comments = 0;
  bytes = 0;
  private pending = '';

  private constructor(readonly response: IncomingMessage) {
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => this.receive(chunk));
    response.on('error', () => undefined); // a dropped stream is what some tests want
  }

  /** Opens `path` and resolves once the headers arrived. */
  static open(
    port: number,
    path: string,
    headers: Record<string, string> = {},
  ): Promise<SseClient> {
    return new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, agent: false, headers }, (response) =>
        resolve(new SseClient(response)),
      );
      req.on('error', reject);
      req.end();
    });
  }

  /** Resolves once `count` events arrived in all. */
  async received(count: number): Promise<ReceivedEvent[]> {
    await eventually(() => this.events.length >= count);
    return this.events;
  }

  close(): void {
    this.response.destroy();
  }

  private receive(chunk: string): void {
    this.bytes += Buffer.byteLength(chunk);
    const blocks = (this.pending + chunk).split('\n\n');
    this.pending = blocks.pop() ?? '';
    for (const block of blocks) {
      if (block.startsWith(':')) {
        this.comments++;
        continue;
      }
      const fields = new Map(
        block.split('\n').map((line) => {
          const colon = line.indexOf(': ');
          return [line.slice(0, colon), line.slice(colon + 2)] as const;
        }),
      );
      this.events.push({
        id: fields.get('id') ?? '',
        event: fields.get('event') ?? '',
        data: JSON.parse(fields.get('data') ?? 'null'),
      });
    }
  }
}
