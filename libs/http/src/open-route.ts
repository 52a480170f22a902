import { SetMetadata } from '@nestjs/common';

export const OPEN_ROUTE = 'cafe:open-route';

/**
 * Marks a route (or every route of a controller) that anyone may call, also on an app that
 * asks for a staff token: probes, metrics, and page files that hold no data themselves.
 */
export const OpenRoute = () => SetMetadata(OPEN_ROUTE, true);
