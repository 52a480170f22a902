import { randomUUID } from 'node:crypto';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { Clock } from '../clock';
import type { Order } from '../domain/order';
import { Drain } from '../drain/drain.service';
import { EventStore } from '../event-store/event-store';
import { OrderRepository } from '../order.repository';
import { IdempotencyKeyProjection } from '../projections/idempotency-key.projection';
import { OrderStatusProjection } from '../projections/order-status.projection';
import { CafeInstance } from '../waiting/cafe-instance';
import { OrphanedOrders } from '../waiting/orphaned-orders';
import { PlaceOrderCommand } from './place-order.command';

@CommandHandler(PlaceOrderCommand)
export class PlaceOrderHandler implements ICommandHandler<PlaceOrderCommand> {
  constructor(
    private readonly orders: OrderRepository,
    private readonly keys: IdempotencyKeyProjection,
    private readonly statuses: OrderStatusProjection,
    private readonly store: EventStore,
    private readonly drain: Drain,
    private readonly clock: Clock,
    private readonly instance: CafeInstance,
    private readonly orphans: OrphanedOrders,
  ) {}

  /**
   * Places a new order, or returns the one an earlier request with the same Idempotency-Key
   * placed. The key lookup and the append run in one synchronous stretch, so two requests with
   * one new key place exactly one order.
   */
  execute(command: PlaceOrderCommand): Promise<Order> {
    // On a shared log, another instance may have taken the key: its order is then found here.
    return this.orders.decideOnLatest(() => this.place(command));
  }

  private async place({
    drink,
    clientAddress,
    idempotency,
    held,
  }: PlaceOrderCommand): Promise<Order> {
    const earlier = idempotency && this.keys.orderFor(idempotency);
    if (earlier) {
      this.orphans.reattached(earlier);
      // The earlier request's events may still be on their way to disk: answer once they are there.
      await this.store.durable();
      return this.statuses.get(earlier) as Order;
    }
    // After the key lookup: during a drain, a customer re-attaching to an order still gets it.
    this.drain.assertTakingOrders();
    return this.orders.handle({
      kind: 'place',
      orderId: randomUUID(),
      drink,
      clientAddress,
      at: this.clock.now(),
      idempotency,
      heldBy: held ? this.instance.id : undefined,
    });
  }
}
