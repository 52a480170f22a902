import { Query } from '@nestjs/cqrs';

export interface QueueSnapshot {
  readonly queued: number;
  readonly brewing: number;
  /** Placement time of the oldest queued order, epoch ms; absent when nothing is queued. */
  readonly oldestQueuedAt?: number;
}

export class GetQueueSnapshotQuery extends Query<QueueSnapshot> {}
