import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { OrderReadModel } from '../orders/order-states';
import { QueueProjection } from '../projections/queue.projection';
import { GetQueueSnapshotQuery, type QueueSnapshot } from './get-queue-snapshot.query';

@QueryHandler(GetQueueSnapshotQuery)
export class GetQueueSnapshotHandler implements IQueryHandler<GetQueueSnapshotQuery> {
  constructor(
    private readonly queue: QueueProjection,
    private readonly orders: OrderReadModel,
  ) {}

  async execute(): Promise<QueueSnapshot> {
    return {
      queued: this.queue.size,
      brewing: this.orders.count('brewing'),
      oldestQueuedAt: this.queue.oldestPlacedAt(),
    };
  }
}
