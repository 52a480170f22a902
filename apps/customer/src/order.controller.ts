import { Body, Controller, HttpCode, HttpStatus, Logger, Post, UseGuards } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import {
  CancelOrderCommand,
  OrderInWrongState,
  PlaceOrderCommand,
  WaitingCustomers,
} from '@cafe/ordering';
import {
  ClientAddressPipe,
  Departure,
  type OrderResponse,
  PeerConnection,
  toOrderResponse,
} from '@cafe/http';
import { PlaceOrderDto } from './dto/place-order.dto';
import { FloodGuard } from './flood/flood.guard';

@Controller()
export class OrderController {
  private readonly logger = new Logger(OrderController.name);

  constructor(
    private readonly commandBus: CommandBus,
    private readonly waiting: WaitingCustomers,
  ) {}

  /** Places an order and holds the request open, with no time limit, until it is ready. */
  @Post('order')
  @HttpCode(HttpStatus.OK)
  @UseGuards(FloodGuard)
  async placeOrder(
    @Body() body: PlaceOrderDto,
    @PeerConnection(ClientAddressPipe) clientAddress: string,
    @Departure() departure: AbortSignal,
  ): Promise<OrderResponse> {
    const placed = await this.commandBus.execute(new PlaceOrderCommand(body.drink, clientAddress));
    if (departure.aborted) this.customerLeft(placed.orderId);
    else
      departure.addEventListener('abort', () => this.customerLeft(placed.orderId), { once: true });
    return toOrderResponse(await this.waiting.waitUntilReady(placed.orderId, departure));
  }

  /** Nobody will collect the drink: take it off the queue unless a barista already started it. */
  private customerLeft(orderId: string): void {
    this.commandBus.execute(new CancelOrderCommand(orderId, 'customer_left')).catch((error) => {
      if (!(error instanceof OrderInWrongState)) {
        this.logger.error(`cancelling ${orderId} failed: ${String(error)}`);
      }
    });
  }
}
