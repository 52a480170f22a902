import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { Clock } from '../clock';
import { heldElsewhere, type Order } from '../domain/order';
import { Drain } from '../drain/drain.service';
import { EventStore } from '../event-store/event-store';
import { OrderRepository } from '../order.repository';
import { OrderHistory } from '../order-history';
import { IdempotencyKeyProjection, reattach } from '../projections/idempotency-key.projection';
import { CafeInstance } from '../waiting/cafe-instance';
import { PlaceOrderCommand } from './place-order.command';

@CommandHandler(PlaceOrderCommand)
export class PlaceOrderHandler implements ICommandHandler<PlaceOrderCommand> {
  private readonly log = new Logger(PlaceOrderHandler.name);

  constructor(
    private readonly orders: OrderRepository,
    private readonly keys: IdempotencyKeyProjection,
    private readonly history: OrderHistory,
    private readonly store: EventStore,
    private readonly drain: Drain,
    private readonly clock: Clock,
    private readonly instance: CafeInstance,
  ) {}

  /**
   * Places a new order, or returns the one an earlier request with the same Idempotency-Key
   * placed. The last key lookup and the append run in one synchronous stretch, so two requests
   * with one new key place exactly one order. A held repeat of a queued order whose customer
   * another process held (one that died, or another instance of the fleet) records that this
   * one holds it now (OrderReattached), so that the order is not withdrawn as an orphan.
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
    // A key the views no longer hold may be in the store's own table. The views are asked again
    // after that read, in the stretch that appends: a request with this key may have placed
    // its order meanwhile.
    const stored =
      idempotency && !this.keys.held(idempotency.key)
        ? await this.store.orderPlacedUnder(idempotency.key)
        : undefined;
    const earlier = idempotency && reattach(idempotency, this.keys.held(idempotency.key) ?? stored);
    if (earlier) {
      const order = await this.history.get(earlier);
      if (held && heldElsewhere(order, this.instance.id)) return this.reattach(order);
      // The earlier request's events may still be on their way to disk: answer once they are there.
      await this.store.durable();
      return order;
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

  private async reattach({ orderId, heldBy }: Order): Promise<Order> {
    const order = await this.orders.handle({
      kind: 'reattach',
      orderId,
      heldBy: this.instance.id,
      at: this.clock.now(),
    });
    this.log.log(`order ${orderId}: its customer came back here; instance ${heldBy} held it`);
    return order;
  }
}
