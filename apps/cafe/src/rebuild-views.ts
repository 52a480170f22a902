import 'reflect-metadata';
import { rebuildViews } from '@cafe/ordering';
import { loadConfig } from './config';

/**
 * `make rebuild-views`, with EVENT_STORE (and the retention settings) as the café has them:
 * rebuilds from the whole log what a start reads, and checks it (libs/ordering rebuildViews).
 */
async function main(): Promise<void> {
  const { eventStore, retention } = loadConfig();
  const { events, queued, brewing } = await rebuildViews(eventStore, retention);
  console.log(
    `views rebuilt from ${events} events: ${queued} orders queued, ${brewing} brewing; a start from them matches the whole log`,
  );
}

main().catch((error: Error) => {
  console.error(`rebuild-views: ${error.message}`);
  process.exit(1);
});
