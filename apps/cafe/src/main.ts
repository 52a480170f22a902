import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { EventLogUnreadable } from '@cafe/ordering';
import { startCafe } from './cafe';
import { ConfigError, loadConfig } from './config';
import { createLogger } from './logger';

/** However many customers are still waiting, the process is gone this long after a signal. */
const SHUTDOWN_DEADLINE_MS = 10_000;

async function main(): Promise<void> {
  const logger = new Logger('Cafe');
  const config = loadConfig();
  const cafe = await startCafe(config, { logger: createLogger(config) });
  logger.log(
    `customers on http://${config.host}:${cafe.customerPort}, baristas on http://${config.host}:${cafe.baristaPort} (${config.httpAdapter})`,
  );

  const shutdown = (signal: NodeJS.Signals) => {
    logger.log(`${signal}: closing both ports`);
    setTimeout(() => {
      logger.error(`still open after ${SHUTDOWN_DEADLINE_MS} ms, exiting anyway`);
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    cafe.close().then(
      () => process.exit(0),
      (error) => {
        logger.error(`shutdown failed: ${String(error)}`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error) => {
  // A bad setting or a damaged log is the operator's to fix: say which, without a stack trace.
  const forOperator = error instanceof ConfigError || error instanceof EventLogUnreadable;
  console.error(forOperator ? `cafe: ${error.message}` : error);
  process.exit(1);
});
