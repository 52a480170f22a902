import { ApiProperty } from '@nestjs/swagger';
import type { StoredEvent } from '@cafe/ordering';

/** An event as the barista app shows it: snake_case, an ISO time, the rest of its fields in `data`. */
export class EventResponse {
  @ApiProperty({ example: 118, description: 'Global position in the log, from 1' })
  position!: number;
  @ApiProperty({ example: 'OrderPlaced' })
  type!: string;
  @ApiProperty({ format: 'uuid', example: '0b6f2d4e-8a43-4c1b-9a57-2f1d0c6e9b21' })
  order_id!: string;
  @ApiProperty({ format: 'date-time', example: '2026-11-22T09:00:00.000Z' })
  at!: string;
  @ApiProperty({ type: 'object', additionalProperties: true, example: { drink: 'americano' } })
  data!: Record<string, unknown>;
}

const snakeCase = (name: string) => name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);

export function toEventResponse({ position, event }: StoredEvent): EventResponse {
  const { type, orderId, at, ...rest } = event;
  const data = Object.fromEntries(
    Object.entries(rest).map(([key, value]) => [snakeCase(key), value]),
  );
  return { position, type, order_id: orderId, at: new Date(at).toISOString(), data };
}
