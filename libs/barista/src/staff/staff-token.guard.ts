import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { OPEN_ROUTE, Unauthorized } from '@cafe/http';
import { StaffTokens } from './staff-tokens';

/** Injects the barista app's `StaffTokens`, or undefined when the app is open. */
export const STAFF_TOKENS = Symbol('StaffTokens');

/** Which barista a request came from, by its request object (the same on both platforms). */
const baristaOfRequest = new WeakMap<object, string>();

/** The barista a guarded request's token named; undefined when the app takes no tokens. */
export function baristaOf(request: object): string | undefined {
  return baristaOfRequest.get(request);
}

const BEARER = /^Bearer +(\S+) *$/i;

/**
 * With BARISTA_TOKENS set, every route of the barista app needs `Authorization: Bearer <token>`
 * unless marked @OpenRoute(). Installed for the whole app, so a new route is closed by default.
 * The token never reaches a message: the 401 says only what is missing or wrong.
 */
@Injectable()
export class StaffTokenGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(STAFF_TOKENS) private readonly tokens: StaffTokens | undefined,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (!this.tokens) return true;
    const open = this.reflector.getAllAndOverride<boolean>(OPEN_ROUTE, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (open) return true;
    const request = context.switchToHttp().getRequest<{ headers: Record<string, unknown> }>();
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? BEARER.exec(header) : null;
    if (!match) {
      throw new Unauthorized(
        'a barista token is required: Authorization: Bearer <token>',
        'Bearer',
      );
    }
    const name = this.tokens.nameOf(match[1]);
    if (name === undefined) {
      throw new Unauthorized(
        'this barista token is not valid',
        'Bearer error="invalid_token", error_description="unknown token"',
      );
    }
    baristaOfRequest.set(request, name);
    return true;
  }
}
