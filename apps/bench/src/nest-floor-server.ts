/**
 * The framework's floor for scenario 6: the bare server's protocol (bare-server.ts) as the
 * smallest Nest app that serves it, on the platform HTTP_ADAPTER names, with the service's
 * platform settings (no body parser: none of these requests has a body; Express without ETag or
 * X-Powered-By; see create-http-app.ts) and nothing else: no logger, no validation, no events.
 * What the service spends beyond this is ours; what this spends beyond the bare server is
 * Nest's and the platform's. Ports from
 * CUSTOMER_PORT/BARISTA_PORT, like the bare server.
 */
import { randomUUID } from 'node:crypto';
import {
  Controller,
  Get,
  HttpCode,
  Module,
  NotFoundException,
  Post,
  Query,
  type Type,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';

interface Waiting {
  id: string;
  ready(): void;
}

const queue: Waiting[] = [];
const brewing = new Map<string, Waiting>();

@Controller()
class CustomerController {
  @Post('order')
  @HttpCode(200)
  order(): Promise<{ order_id: string; status: string }> {
    const id = randomUUID();
    return new Promise((resolve) =>
      queue.push({ id, ready: () => resolve({ order_id: id, status: 'ready' }) }),
    );
  }
}

@Controller()
class BaristaController {
  @Get('start')
  start(): { order_id: string; status: string } {
    const next = queue.shift();
    if (!next) throw new NotFoundException('no order is waiting');
    brewing.set(next.id, next);
    return { order_id: next.id, status: 'brewing' };
  }

  @Post('finish')
  @HttpCode(200)
  finish(@Query('order_id') id = ''): { order_id: string; status: string } {
    const order = brewing.get(id);
    if (!order) throw new NotFoundException(`order ${id} is not brewing`);
    brewing.delete(id);
    order.ready();
    return { order_id: id, status: 'ready' };
  }

  @Get('queue')
  queue(): { queued: number; brewing: number } {
    return { queued: queue.length, brewing: brewing.size };
  }
}

@Module({ controllers: [CustomerController] })
class CustomerModule {}

@Module({ controllers: [BaristaController] })
class BaristaModule {}

async function serve(module: Type, port: string | undefined): Promise<void> {
  const fastify = process.env.HTTP_ADAPTER === 'fastify';
  const adapter = fastify
    ? new FastifyAdapter({ routerOptions: { ignoreTrailingSlash: true } })
    : new ExpressAdapter();
  const app = await NestFactory.create(module, adapter, { logger: false, bodyParser: false });
  if (!fastify) {
    const express = app.getHttpAdapter().getInstance();
    express.disable('x-powered-by');
    express.set('etag', false);
  }
  await app.listen(Number(port), process.env.HOST ?? '127.0.0.1');
}

void Promise.all([
  serve(CustomerModule, process.env.CUSTOMER_PORT),
  serve(BaristaModule, process.env.BARISTA_PORT),
]);
process.once('SIGTERM', () => process.exit(0));
