import { Command } from '@nestjs/cqrs';
import type { Order } from '../domain/order';

/** A barista takes the next queued order. */
export class StartNextOrderCommand extends Command<Order> {
  /** `barista`: the name their token gave, recorded on OrderStarted; none when the app is open. */
  constructor(public readonly barista?: string) {
    super();
  }
}
