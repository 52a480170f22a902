import { HTTP_ADAPTERS, type HttpAdapterName } from '@cafe/http';
import { EventStore } from '@cafe/ordering';
import { type Cafe, type StartOptions, startCafe } from '../../apps/cafe/src/cafe';
import { loadConfig } from '../../apps/cafe/src/config';
import { call, eventually, type CallOptions, type HttpAnswer, isSettled } from './http-client';

export { HTTP_ADAPTERS };

export type Side = 'customer' | 'barista';

/** A café booted as in production (core + both ports), on free loopback ports. */
export class TestCafe {
  /** Sent with every barista() call once signIn() was called, unless the call sets its own. */
  private staffHeaders: Record<string, string> = {};

  private constructor(readonly cafe: Cafe) {}

  static async start(
    adapter: HttpAdapterName,
    env: Record<string, string> = {},
    options: StartOptions = {},
  ): Promise<TestCafe> {
    const config = loadConfig({
      HOST: '127.0.0.1',
      CUSTOMER_PORT: '0',
      BARISTA_PORT: '0',
      HTTP_ADAPTER: adapter,
      ...env,
    });
    return new TestCafe(await startCafe(config, options));
  }

  port(side: Side): number {
    return side === 'customer' ? this.cafe.customerPort : this.cafe.baristaPort;
  }

  customer(method: string, path: string, options?: CallOptions): Promise<HttpAnswer> {
    return call(this.cafe.customerPort, method, path, options);
  }

  barista(method: string, path: string, options: CallOptions = {}): Promise<HttpAnswer> {
    const headers = { ...this.staffHeaders, ...options.headers };
    return call(this.cafe.baristaPort, method, path, { ...options, headers });
  }

  /** Acts as the barista whose token this is in every later barista() call. */
  signIn(token: string): this {
    this.staffHeaders = { authorization: `Bearer ${token}` };
    return this;
  }

  /** Places an order and waits until the barista side sees it queued; the reply promise stays pending until it is ready. */
  async order(options?: CallOptions): Promise<{ reply: Promise<HttpAnswer> }> {
    const before = await this.queued();
    const reply = this.customer('POST', '/order/', options);
    reply.catch(() => undefined); // an aborted customer is a test's intent, not a failure
    await eventually(async () => (await this.queued()) > before);
    return { reply };
  }

  /** A regular orders and baristas work until it is served (oldest first): the customer's answer. */
  async serveRegular(): Promise<HttpAnswer> {
    const { reply } = await this.order();
    while (!(await isSettled(reply))) {
      const started = await this.barista('GET', '/start/');
      if (started.status !== 200) break;
      await this.barista('POST', `/finish/?order_id=${started.body.order_id}`);
    }
    return reply;
  }

  /** Orders ever placed, counted in the log: a refused request must not have placed one. */
  async placed(): Promise<number> {
    let count = 0;
    for (const { event } of await this.cafe.core.get(EventStore).readAll()) {
      if (event.type === 'OrderPlaced') count++;
    }
    return count;
  }

  async queued(): Promise<number> {
    return (await this.barista('GET', '/queue')).body.queued;
  }

  close(): Promise<void> {
    return this.cafe.close();
  }
}
