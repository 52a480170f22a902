import { createHash, timingSafeEqual } from 'node:crypto';

/** A name shows on the board and in the log: short, no markup, no separators. */
const NAME = /^[\p{L}\p{N}_.-]{1,40}$/u;
/** RFC 6750's b64token, so that `Authorization: Bearer <token>` reads back unambiguously. */
const TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
const MIN_TOKEN_LENGTH = 16;
const MAX_TOKEN_LENGTH = 256;

const digest = (token: string) => createHash('sha256').update(token).digest();

/**
 * The baristas' names and bearer tokens (BARISTA_TOKENS). Only digests are kept, and every
 * lookup compares with all of them in constant time, so neither the answer's timing nor a
 * heap dump's strings give a token away.
 */
export class StaffTokens {
  private constructor(private readonly entries: { name: string; digest: Buffer }[]) {}

  /**
   * Reads `name:token` entries, one per item of `entries`. Throws a message that says which
   * entry is wrong and why, and never quotes a token.
   */
  static parse(entries: string[]): StaffTokens {
    const names = new Set<string>();
    const tokens = new Set<string>();
    const parsed = entries.map((entry, index) => {
      const where = `entry ${index + 1}`;
      const colon = entry.indexOf(':');
      if (colon < 0) throw new Error(`${where} must be name:token`);
      const name = entry.slice(0, colon).trim();
      const token = entry.slice(colon + 1).trim();
      if (!NAME.test(name)) {
        throw new Error(`${where}: the name must be 1 to 40 letters, digits, "_", "." or "-"`);
      }
      if (
        token.length < MIN_TOKEN_LENGTH ||
        token.length > MAX_TOKEN_LENGTH ||
        !TOKEN.test(token)
      ) {
        throw new Error(
          `${where} (${name}): the token must be ${MIN_TOKEN_LENGTH} to ${MAX_TOKEN_LENGTH} characters of A-Z a-z 0-9 - . _ ~ + / (e.g. openssl rand -hex 24)`,
        );
      }
      if (names.has(name)) throw new Error(`${where}: the name ${name} is given twice`);
      if (tokens.has(token)) throw new Error(`${where} (${name}): the token is given twice`);
      names.add(name);
      tokens.add(token);
      return { name, digest: digest(token) };
    });
    if (parsed.length === 0) throw new Error('no name:token entry');
    return new StaffTokens(parsed);
  }

  /** The barista whose token this is, or undefined. Always compares with every entry. */
  nameOf(token: string): string | undefined {
    const presented = digest(token);
    let found: string | undefined;
    for (const entry of this.entries) {
      if (timingSafeEqual(entry.digest, presented)) found = entry.name;
    }
    return found;
  }
}
