import { Command } from '@nestjs/cqrs';
import type { Order } from '../domain/order';

/** A barista takes the next queued order. */
export class StartNextOrderCommand extends Command<Order> {}
