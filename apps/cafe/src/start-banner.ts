import { DOCS_PATH } from '@cafe/http';
import { ORDER_ROUTE } from '@cafe/customer';
import { describeEventStore, historyKept } from '@cafe/ordering';
import type { CafeConfig } from './config';

/** Where each part of a started café is, and what it runs on: the last lines of its start. */
export function startBanner(
  config: Pick<
    CafeConfig,
    'customerHost' | 'baristaHost' | 'httpAdapter' | 'eventStore' | 'queuePolicy' | 'retention'
  >,
  ports: { customer: number; barista: number },
): string {
  const customer = urlOf(config.customerHost, ports.customer);
  const barista = urlOf(config.baristaHost, ports.barista);
  return [
    `café open: ${config.httpAdapter}, ${describeEventStore(config.eventStore)} store, ${config.queuePolicy} queue`,
    `  keeps      ${historyKept(config.eventStore.kind === 'memory' ? config.retention.eventsKept : undefined)}`,
    `  customers  ${customer}${ORDER_ROUTE}/`,
    `  baristas   ${barista}start/`,
    `  board      ${barista}`,
    `  station    ${barista}station`,
    `  API docs   ${customer}${DOCS_PATH}, ${barista}${DOCS_PATH}`,
  ].join('\n');
}

/** A URL a person on this machine can open: a wildcard listen address is reached as localhost. */
function urlOf(host: string, port: number): string {
  const name = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  return `http://${name.includes(':') ? `[${name}]` : name}:${port}/`;
}
