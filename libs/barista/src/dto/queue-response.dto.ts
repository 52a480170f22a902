import { ApiProperty } from '@nestjs/swagger';

export class QueueResponse {
  @ApiProperty({ example: 12, description: 'Orders placed and not yet started' })
  queued!: number;
  @ApiProperty({ example: 10, description: 'Orders started and not yet finished' })
  brewing!: number;
  @ApiProperty({
    type: 'number',
    nullable: true,
    example: 184.2,
    description: 'Seconds the oldest queued order has waited; null when nothing is queued',
  })
  oldest_queued_age_seconds!: number | null;
}
