import type { INestApplication, INestApplicationContext } from '@nestjs/common';
import { type ConnectionDoor, createHttpApp, type HttpAppOptions } from '@cafe/http';
import { CafeMetrics } from '@cafe/ordering';
import { CUSTOMER_API_DOCS, CustomerModule } from './customer.module';
import type { FloodDefenceOptions } from './flood/flood-defence.options';
import { floodCutOffAnswer } from './flood/flood-cut-off.answer';
import { FloodRedis } from './flood/flood-redis';
import { refuseBlockedOrders } from './flood/refuse-blocked-orders';

/**
 * The customer app on `core`, with its flood defence wired here and nowhere else: the limits
 * shared through Redis when REDIS_URL is set (connected here rather than in a provider, so that
 * an unusable REDIS_URL is one line), the throttlers, the waiting cap and the cut-off
 * (CustomerModule), the early refusal of blocked addresses on node's server, and the 429 a
 * customer hears when a cut-off cancelled their order; and in front of all, `door`, which
 * limits connections and requests in progress per address and keeps descriptors in reserve.
 */
export async function createCustomerApp(
  core: INestApplicationContext,
  flood: FloodDefenceOptions,
  http: Omit<HttpAppOptions, 'docs' | 'errorAnswers' | 'trustedProxies'>,
  door: ConnectionDoor,
): Promise<INestApplication> {
  const floodRedis = flood.redis
    ? await FloodRedis.connect(flood.redis, core.get(CafeMetrics))
    : null;
  const app = await createHttpApp(CustomerModule.forCore(core, flood, floodRedis, door), {
    ...http,
    docs: CUSTOMER_API_DOCS,
    trustedProxies: flood.trustedProxies,
    errorAnswers: [floodCutOffAnswer(flood.blockSeconds)],
  });
  refuseBlockedOrders(app, flood.trustedProxies);
  // Last, so that it runs first: a refused connection or request costs no parsing at all.
  door.install(app.getHttpServer());
  return app;
}
