/** Characters a percent-encoding may stand for without changing what the path means (RFC 3986's unreserved). */
const UNRESERVED = /[A-Za-z0-9\-._~]/;

/**
 * The one spelling of the path a request target is routed to, whichever spelling of it a
 * platform accepts: the absolute form's scheme and authority (`http://h/order/`), the query
 * and a fragment (`/order/#`) left out, unreserved characters percent-decoded (`/%6Frder/`,
 * Fastify's router decodes them), slashes collapsed, no trailing slash, lower case (Express
 * matches `/ORDER/` and `/Order`). Whatever matches a route by this path is refused or read
 * alike on both platforms; a target no platform would route gets a path no route has.
 */
export function routePath(target: string | undefined): string {
  let path = target ?? '';
  const end = path.search(/[?#]/);
  if (end >= 0) path = path.slice(0, end);
  if (!path.startsWith('/')) path = path.replace(/^[a-z][a-z\d+.-]*:\/\/[^/]*/i, '');
  path = path.replace(/%([\da-f]{2})/gi, (encoded, hex: string) => {
    const character = String.fromCharCode(parseInt(hex, 16));
    return UNRESERVED.test(character) ? character : encoded;
  });
  return `/${path}`
    .replace(/\/+/g, '/')
    .replace(/(.)\/$/, '$1')
    .toLowerCase();
}
