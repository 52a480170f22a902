import type { AddressInfo } from 'node:net';
import type { INestApplication, INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import pino, { type Logger } from 'pino';
import { BARISTA_API_DOCS, type BaristaOptions, BaristaModule } from '@cafe/barista';
import { createCustomerApp } from '@cafe/customer';
import { ConnectionDoor, createHttpApp, listen, nestLoggerFor } from '@cafe/http';
import {
  CafeMetrics,
  type Clock,
  CoreModule,
  Drain,
  type DrainOutcome,
  OrphanedOrders,
  ServiceClosing,
  WaitingCustomers,
} from '@cafe/ordering';
import type { CafeConfig } from './config';

/** A running café: one core and the two HTTP apps that share it. */
export interface Cafe {
  readonly core: INestApplicationContext;
  readonly customer: INestApplication;
  readonly barista: INestApplication;
  readonly customerPort: number;
  readonly baristaPort: number;
  /** Refuses the waiting customers with 503, then closes both ports and the core together. Idempotent. */
  close(): Promise<void>;
  /**
   * Refuses new orders with 503 while both ports stay up, so baristas can work off what is
   * queued or brewing and its customers get their 200; after that, or after `timeoutMs`, close().
   * Idempotent: a later call joins the first drain.
   */
  drain(timeoutMs: number): Promise<DrainOutcome>;
}

export interface StartOptions {
  /** Takes a line per request, per domain event and Nest's own messages. Silent by default (tests). */
  logger?: Logger;
  /** Tests shorten the event stream's timings. */
  barista?: Pick<BaristaOptions, 'eventStream'>;
  /** Tests move time themselves (a lease running out) rather than wait for it. */
  clock?: Clock;
}

/** Boots the core, then both apps on their ports. If any step fails, what was started is closed. */
export async function startCafe(
  config: CafeConfig,
  { logger = pino({ level: 'silent' }), barista: baristaOptions, clock }: StartOptions = {},
): Promise<Cafe> {
  const core = await NestFactory.createApplicationContext(
    CoreModule.forRoot({ ...config, logger, clock }),
    {
      logger: nestLoggerFor(logger),
      abortOnError: false,
    },
  );
  const apps: INestApplication[] = [];
  const closeAll = once(async () => {
    core.get(WaitingCustomers).close(new ServiceClosing());
    await Promise.all(apps.map((app) => app.close()));
    await core.close();
  });
  try {
    await core.get(OrphanedOrders).start();
    const options = {
      adapter: config.httpAdapter,
      logger,
      requestTimeouts: config.requestTimeouts,
    };
    const metrics = core.get(CafeMetrics);
    const door = new ConnectionDoor({
      ...config.door,
      trustedProxies: config.flood.trustedProxies,
      count: (refusal) => metrics.countDoorRefusal(refusal),
      logger,
    });
    const customer = await createCustomerApp(core, config.flood, options, door);
    apps.push(customer);
    const barista = await createHttpApp(
      BaristaModule.forCore(core, door, {
        ...baristaOptions,
        staffTokens: config.staffTokens,
        streamReaders: config.streamReaders,
        trustedProxies: config.flood.trustedProxies,
      }),
      { ...options, trustedProxies: config.flood.trustedProxies, docs: BARISTA_API_DOCS },
    );
    apps.push(barista);
    await listen(customer, config.customerPort, config.customerHost);
    await listen(barista, config.baristaPort, config.baristaHost);
    if (!config.staffTokens && !isLoopback(config.baristaHost)) {
      logger.warn(
        `the barista app listens on ${config.baristaHost} without BARISTA_TOKENS: whoever reaches it can take and finish orders and read the log`,
      );
    }
    return {
      core,
      customer,
      barista,
      customerPort: portOf(customer),
      baristaPort: portOf(barista),
      close: closeAll,
      drain: async (timeoutMs) => {
        const outcome = await core.get(Drain).begin(timeoutMs);
        await closeAll();
        return outcome;
      },
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/** Only this machine can reach an app bound here. */
function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function portOf(app: INestApplication): number {
  return (app.getHttpServer().address() as AddressInfo).port;
}

function once(action: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= action());
}
