import {
  BadRequestException,
  Body,
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  Post,
  Query,
} from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import {
  Clock,
  FinishOrderCommand,
  GetQueueSnapshotQuery,
  StartNextOrderCommand,
} from '@cafe/ordering';
import { type OrderResponse, toOrderResponse } from '@cafe/http';
import { ApiBarista } from './barista.api-docs';
import { FinishOrderDto } from './dto/finish-order.dto';
import { QueueResponse } from './dto/queue-response.dto';
import { BaristaName } from './staff/barista-name.decorator';

@Controller()
export class BaristaController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly queryBus: QueryBus,
    private readonly clock: Clock,
  ) {}

  /** Takes the oldest queued order. 404 when there is none: the reference client backs off on it. */
  @Get('start')
  @ApiBarista.start()
  async start(@BaristaName() barista?: string): Promise<OrderResponse> {
    return toOrderResponse(await this.commandBus.execute(new StartNextOrderCommand(barista)));
  }

  /** Declares an order ready, which releases its waiting customer. */
  @Post('finish')
  @ApiBarista.finish()
  @HttpCode(HttpStatus.OK)
  async finish(
    @Query() query: FinishOrderDto,
    @Body() body: FinishOrderDto = {},
    @BaristaName() barista?: string,
  ): Promise<OrderResponse> {
    const orderId = (query.order_id ?? body.order_id)?.trim();
    if (!orderId) throw new BadRequestException('order_id is required');
    return toOrderResponse(await this.commandBus.execute(new FinishOrderCommand(orderId, barista)));
  }

  @Get('queue')
  @ApiBarista.queue()
  async queue(): Promise<QueueResponse> {
    const snapshot = await this.queryBus.execute(new GetQueueSnapshotQuery());
    return {
      queued: snapshot.queued,
      brewing: snapshot.brewing,
      oldest_queued_age_seconds:
        snapshot.oldestQueuedAt === undefined
          ? null
          : (this.clock.now() - snapshot.oldestQueuedAt) / 1000,
    };
  }
}
