import type { INestApplication } from '@nestjs/common';
import { clientAddressOf, refuseEarly, routePath, type TrustedProxies } from '@cafe/http';
import { CafeMetrics } from '@cafe/ordering';
import { ORDER_ROUTE } from '../order.route';
import { BLOCKED_MESSAGE, BlockedAddresses } from './blocked-addresses';

/** The order route of `OrderController`, as `routePath` spells every way of writing it. */
const ORDER_PATH = routePath(ORDER_ROUTE);

/**
 * Once the guard has blocked an address, its next orders are refused on node's server: a 429
 * that costs a map lookup instead of a trip through the platform, so that a flood of thousands
 * does not delay the regulars' requests queued behind it, whichever spelling of the route the
 * platform would accept (`/ORDER/`, `http://h/order/`, `/%6Frder/`...). Not logged per request (that would
 * be the cost again); counted in the throttled-requests metric under the blocking throttler.
 */
export function refuseBlockedOrders(app: INestApplication, trusted: TrustedProxies): void {
  const blocked = app.get(BlockedAddresses);
  const metrics = app.get(CafeMetrics);
  refuseEarly(app.getHttpServer(), (request) => {
    if (request.method !== 'POST' || routePath(request.url) !== ORDER_PATH) {
      return undefined;
    }
    const block = blocked.find(clientAddressOf(request, trusted));
    if (block === undefined) return undefined;
    metrics.countThrottled(block.throttler);
    return { message: BLOCKED_MESSAGE, retryAfterSeconds: block.secondsLeft };
  });
}
