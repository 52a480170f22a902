import { BlockList, isIP } from 'node:net';

/** What the socket and the headers say about where a request came from. */
export interface Connection {
  /** The direct peer, as the socket reports it. */
  readonly peerAddress: string | undefined;
  /** The raw `X-Forwarded-For` header(s), if any. */
  readonly forwardedFor: string | string[] | undefined;
}

const IPV4_MAPPED = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

/**
 * One spelling per address, so that limits and the queue keyed by address cannot be dodged by
 * writing it differently: IPv4-mapped IPv6 (`::ffff:a.b.c.d`, what a dual-stack socket reports)
 * becomes plain IPv4, IPv6 is lower-cased and compressed. Undefined when it is not an address.
 */
export function canonicalAddress(text: string): string | undefined {
  const trimmed = text.trim();
  const mapped = IPV4_MAPPED.exec(trimmed);
  const address = mapped ? mapped[1] : trimmed;
  switch (isIP(address)) {
    case 4:
      return address;
    case 6:
      return new URL(`http://[${address}]`).hostname.slice(1, -1);
    default:
      return undefined;
  }
}

/** `1.2.3.4:5678`, `[::1]:80` or `[::1]`: the address alone, as some proxies write it. */
const WITH_PORT = /^(?:\[([^\]]+)\](?::\d{1,5})?|(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5})$/;

/**
 * An `X-Forwarded-For` entry as its address: a proxy that writes the client's port too
 * (`address:port`, IPv6 in brackets) must not make every client look like the proxy.
 */
export function forwardedAddress(entry: string): string | undefined {
  const trimmed = entry.trim();
  const withPort = WITH_PORT.exec(trimmed);
  if (!withPort) return canonicalAddress(trimmed);
  const [, bracketed, ipv4] = withPort;
  // Brackets hold IPv6 alone (RFC 3986), `[1.2.3.4]` is garbled.
  return bracketed === undefined || isIP(bracketed) === 6
    ? canonicalAddress(bracketed ?? ipv4)
    : undefined;
}

/** The proxies whose `X-Forwarded-For` we believe (TRUSTED_PROXIES): addresses and CIDRs, v4 or v6. */
export class TrustedProxies {
  private readonly list = new BlockList();

  private constructor(readonly entries: readonly string[]) {
    for (const entry of entries) {
      const [address, prefix] = entry.split('/');
      const canonical = canonicalAddress(address);
      if (!canonical) throw new Error(`"${entry}" is not an IP address or CIDR`);
      const family = isIP(canonical) === 4 ? 'ipv4' : 'ipv6';
      if (prefix === undefined) {
        this.list.addAddress(canonical, family);
        continue;
      }
      const bits = Number(prefix);
      if (!/^\d+$/.test(prefix) || bits > (family === 'ipv4' ? 32 : 128)) {
        throw new Error(`"${entry}" has an invalid prefix length`);
      }
      this.list.addSubnet(canonical, bits, family);
    }
  }

  static readonly none = new TrustedProxies([]);

  /** Parses a comma-separated list; throws with the offending entry when one is not an address or CIDR. */
  static parse(list: string): TrustedProxies {
    const entries = list
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== '');
    return entries.length === 0 ? TrustedProxies.none : new TrustedProxies(entries);
  }

  includes(address: string): boolean {
    if (this.entries.length === 0) return false;
    return this.list.check(address, isIP(address) === 4 ? 'ipv4' : 'ipv6');
  }
}

/**
 * The client's address: the socket's peer, unless that peer is a trusted proxy; then walk
 * `X-Forwarded-For` from the right (each proxy appends the address it saw) past trusted proxies
 * to the first address that is not one (an entry's port, if any, is not part of it). Whatever a client wrote further left is never read, so
 * a forged header from an untrusted peer, or behind a trusted one, gains nothing. A trusted
 * peer that sends no usable header is itself the client.
 */
export function resolveClientAddress(
  { peerAddress, forwardedFor }: Connection,
  trusted: TrustedProxies,
): string {
  const peer = canonicalAddress(peerAddress ?? '') ?? 'unknown';
  if (!trusted.includes(peer) || forwardedFor === undefined) return peer;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor).split(',');
  let client = peer;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = forwardedAddress(hops[i]);
    // A garbled hop was written by someone we do not trust: stop at the last address we do.
    if (!hop) break;
    client = hop;
    if (!trusted.includes(hop)) break;
  }
  return client;
}
