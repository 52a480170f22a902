export * from './customer-app';
export type { FloodDefenceOptions } from './flood/flood-defence.options';
export { type RedisTarget, RedisUnusable } from './flood/flood-redis';
export { ORDER_ROUTE } from './order.route';
export { GcraThrottlerStorage } from './flood/gcra-throttler-storage';
