import type { StoredEvent } from '@cafe/ordering';

/** An event as the barista app shows it: snake_case, an ISO time, the rest of its fields in `data`. */
export interface EventResponse {
  position: number;
  type: string;
  order_id: string;
  at: string;
  data: Record<string, unknown>;
}

const snakeCase = (name: string) => name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);

export function toEventResponse({ position, event }: StoredEvent): EventResponse {
  const { type, orderId, at, ...rest } = event;
  const data = Object.fromEntries(
    Object.entries(rest).map(([key, value]) => [snakeCase(key), value]),
  );
  return { position, type, order_id: orderId, at: new Date(at).toISOString(), data };
}
