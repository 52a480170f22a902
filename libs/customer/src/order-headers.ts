import { createHash } from 'node:crypto';
import { BadRequestException } from '@nestjs/common';
import type { IdempotencyClaim } from '@cafe/ordering';

export const MAX_IDEMPOTENCY_KEY_LENGTH = 200;

/** Visible ASCII only: a key is an opaque token (a UUID, typically), logged and stored as is. */
const IDEMPOTENCY_KEY = new RegExp(`^[\\x21-\\x7e]{1,${MAX_IDEMPOTENCY_KEY_LENGTH}}$`);

/**
 * The Idempotency-Key header with a fingerprint of the body it came with, or undefined without
 * the header. As in the IETF Idempotency-Key draft, a repeat must send the same body: key order
 * and whitespace do not matter, a missing body counts as `{}`. A bad key is a 400.
 */
export function idempotencyClaim(
  header: string | undefined,
  body: unknown,
): IdempotencyClaim | undefined {
  if (header === undefined) return undefined;
  if (!IDEMPOTENCY_KEY.test(header)) {
    throw new BadRequestException(
      `Idempotency-Key must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} visible ASCII characters`,
    );
  }
  const sent = body ?? {};
  // Validation let only a flat object through, so sorting its own keys makes it canonical.
  const canonical = JSON.stringify(sent, Object.keys(sent).sort());
  return { key: header, fingerprint: createHash('sha256').update(canonical).digest('base64url') };
}

/** Whether a Prefer header (RFC 7240) asks for `respond-async`, among any other preferences. */
export function prefersRespondAsync(prefer: string | undefined): boolean {
  return (prefer ?? '')
    .split(',')
    .some((preference) => preference.split(/[;=]/)[0].trim().toLowerCase() === 'respond-async');
}
