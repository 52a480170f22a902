import type { IncomingMessage } from 'node:http';
import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  HttpStatus,
  Logger,
  Param,
  Post,
  Query,
  UseGuards,
} from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import {
  CancelOrderCommand,
  type Departure as CustomerDeparture,
  GetHeldOrderQuery,
  GetOrderQuery,
  OrderInWrongState,
  type OrderView,
  OrderWasCancelled,
  PlaceOrderCommand,
  WaitingCustomers,
} from '@cafe/ordering';
import {
  ClientAddressPipe,
  Departure,
  type OrderResponse,
  type OrderStatusResponse,
  NodeRequest,
  ReplyHead,
  SentBody,
  toOrderResponse,
  toOrderStatusResponse,
} from '@cafe/http';
import { GetOrderQueryDto, OrderIdParams } from './dto/get-order.dto';
import { PlaceOrderDto, PlaceOrderQueryDto } from './dto/place-order.dto';
import { ApiOrder } from './order.api-docs';
import { ORDER_ROUTE } from './order.route';
import { FloodGuard } from './flood/flood.guard';
import { LookupMisses } from './flood/lookup-misses';
import { WaitingPerAddress } from './flood/waiting-per-address';
import { idempotencyClaim, prefersRespondAsync } from './order-headers';

@Controller()
export class OrderController {
  private readonly logger = new Logger(OrderController.name);

  constructor(
    private readonly commandBus: CommandBus,
    private readonly queryBus: QueryBus,
    private readonly waiting: WaitingCustomers,
    private readonly places: WaitingPerAddress,
    private readonly lookupMisses: LookupMisses,
  ) {}

  /**
   * Places an order, or finds the one placed earlier under the same Idempotency-Key, and holds
   * the request open, with no time limit, until it is ready. With `Prefer: respond-async` it
   * answers at once instead: 202 pointing at GET /orders/{id} (200 if the order is ready).
   */
  @Post(ORDER_ROUTE)
  @ApiOrder.place()
  @HttpCode(HttpStatus.OK)
  @UseGuards(FloodGuard)
  async placeOrder(
    @Body() body: PlaceOrderDto,
    @Query() _query: PlaceOrderQueryDto,
    @NodeRequest(ClientAddressPipe) clientAddress: string,
    @NodeRequest() request: IncomingMessage,
    @Departure() departure: CustomerDeparture,
    @SentBody() sentBody: unknown,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Headers('prefer') prefer: string | undefined,
    @ReplyHead() reply: ReplyHead,
  ): Promise<OrderResponse> {
    const idempotency = idempotencyClaim(idempotencyKey, sentBody);
    const held = !prefersRespondAsync(prefer);
    const placed = await this.commandBus.execute(
      new PlaceOrderCommand(body.drink, clientAddress, idempotency, held),
    );
    const view = await this.queryBus.execute(new GetOrderQuery(placed.orderId));
    // The guard's waiting place goes to the order while it is queued, held or not.
    this.places.handOver(request, view.order);
    // Without a key the customer's only way to the order is this answer: if they hang up before
    // it reached them (held, or a 202 queued behind another answer on their connection), nobody
    // collects it.
    if (idempotency === undefined) this.cancelOnDeparture(placed.orderId, departure);
    if (!held) return this.accepted(view, reply);
    return toOrderResponse(await this.waiting.waitUntilReady(placed, departure));
  }

  /**
   * The order's status (and place in the queue); with `?wait=S`, held until it is ready or S
   * seconds passed. An order this process does not hold is looked for in the log, unless the
   * address's lookups of unknown ids have it refused (LookupMisses).
   */
  @Get('orders/:id')
  @ApiOrder.get()
  async getOrder(
    @Param() { id }: OrderIdParams,
    @Query() { wait }: GetOrderQueryDto,
    @NodeRequest(ClientAddressPipe) clientAddress: string,
    @Departure() departure: CustomerDeparture,
  ): Promise<OrderStatusResponse> {
    const view =
      (await this.queryBus.execute(new GetHeldOrderQuery(id))) ??
      (await this.lookupMisses.unlessRefused(clientAddress, () =>
        this.queryBus.execute(new GetOrderQuery(id)),
      ));
    const { status } = view.order;
    if (wait === 0 || (status !== 'queued' && status !== 'brewing')) {
      return toOrderStatusResponse(view);
    }
    await this.waiting.waitAtMost(id, wait * 1000, departure);
    return toOrderStatusResponse(await this.queryBus.execute(new GetOrderQuery(id)));
  }

  /** 202 with where to poll; 200 if the order is already ready; 409 if it was cancelled. */
  private accepted(view: OrderView, reply: ReplyHead): OrderStatusResponse {
    const { orderId, status, cancelReason } = view.order;
    if (status === 'cancelled')
      throw new OrderWasCancelled(orderId, cancelReason ?? 'customer_left');
    reply.header('Preference-Applied', 'respond-async');
    if (status !== 'ready') {
      reply.status(HttpStatus.ACCEPTED);
      reply.header('Location', `/orders/${orderId}`);
    }
    return toOrderStatusResponse(view);
  }

  /** Nobody will collect the drink: take it off the queue unless a barista already started it. */
  private cancelOnDeparture(orderId: string, departure: CustomerDeparture): void {
    departure.onLeave(() => this.customerLeft(orderId));
  }

  private customerLeft(orderId: string): void {
    this.commandBus.execute(new CancelOrderCommand(orderId, 'customer_left')).catch((error) => {
      if (!(error instanceof OrderInWrongState)) {
        this.logger.error(`cancelling ${orderId} failed: ${String(error)}`);
      }
    });
  }
}
