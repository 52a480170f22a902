import { isIP } from 'node:net';

/** Each address's last octet runs 1..250, so no address ends in 0 or 255. */
const HOSTS_PER_BLOCK = 250;
const BLOCKS = 250;
export const MAX_SOURCE_ADDRESSES = HOSTS_PER_BLOCK * BLOCKS;

/**
 * The loopback address a simulated client with this index binds to: 127.0.1.1, 127.0.1.2, …
 * 127.0.1.250, 127.0.2.1, … Linux routes all of 127/8 to lo, so each is a distinct peer to
 * the server without any forged header. 127.0.0.x stays free for baristas and the flood.
 */
export function sourceAddress(index: number): string {
  const slot = index % MAX_SOURCE_ADDRESSES;
  return `127.0.${1 + Math.floor(slot / HOSTS_PER_BLOCK)}.${1 + (slot % HOSTS_PER_BLOCK)}`;
}

/**
 * The address the kernel gives a loopback connection by itself. A socket bound to it
 * explicitly would get its local port at bind() time, which Linux finds by scanning: for
 * thousands of sockets from one address that took 8 s of system time for 5,000. Unbound, the
 * port is chosen at connect() by the whole 4-tuple, at no such cost; so this address is never bound.
 */
export const DEFAULT_SOURCE_ADDRESS = '127.0.0.1';

/** Whether a URL's host is this machine's loopback, where binding 127.x.y.z source addresses works. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}
