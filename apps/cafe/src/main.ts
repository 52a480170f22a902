import 'reflect-metadata';
import { constants } from 'node:os';
import { Logger } from '@nestjs/common';
import { EventLogUnreachable, EventLogUnreadable } from '@cafe/ordering';
import { RedisUnusable } from '@cafe/customer';
import { startCafe } from './cafe';
import { ConfigError, loadConfig } from './config';
import { createLogger } from './logger';
import { startBanner } from './start-banner';

/** Once the drain is over, closing both ports may take this long before the process gives up. */
const CLOSE_DEADLINE_MS = 10_000;

async function main(): Promise<void> {
  const logger = new Logger('Cafe');
  const config = loadConfig();
  const cafe = await startCafe(config, { logger: createLogger(config) });
  logger.log(startBanner(config, { customer: cafe.customerPort, barista: cafe.baristaPort }));

  let signalled = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (signalled) {
      logger.warn(`${signal} again: exiting at once`);
      process.exit(128 + constants.signals[signal]);
    }
    signalled = true;
    logger.log(
      `${signal}: taking no new orders; serving what is queued or brewing for up to ${config.drainTimeoutMs} ms`,
    );
    setTimeout(() => {
      logger.error(`still open ${CLOSE_DEADLINE_MS} ms after the drain, exiting anyway`);
      process.exit(1);
    }, config.drainTimeoutMs + CLOSE_DEADLINE_MS).unref();
    cafe.drain(config.drainTimeoutMs).then(
      (outcome) => {
        logger.log(
          outcome === 'served'
            ? 'drained: every order served; both ports closed'
            : 'drain timed out: the customers still waiting got 503; both ports closed',
        );
        process.exit(0);
      },
      (error) => {
        logger.error(`shutdown failed: ${String(error)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((error) => {
  // A bad setting, a damaged or unreachable log or an unusable Redis is the operator's to fix: say which,
  // without a stack trace.
  const forOperator = [ConfigError, EventLogUnreadable, RedisUnusable].some(
    (kind) => error instanceof kind,
  );
  if (error instanceof EventLogUnreachable) console.error(`cafe: EVENT_STORE: ${error.message}`);
  else console.error(forOperator ? `cafe: ${error.message}` : error);
  process.exit(1);
});
