import { type CanActivate, type ExecutionContext, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { bearerToken } from './bearer-token.js';
import { InvalidTokenError, TokenVerifier } from './token-verifier.js';

/**
 * In JWT mode, every request to the REST API (`/api/...` or the configured prefixes, reads of
 * room content included)
 * needs a valid token; the verified principal is left on the request for the handler. Other
 * routes (the page, `/health`, `/metrics`) pass. A refused token is a 401 whose message says
 * why (expired, wrong audience, ...).
 */
/** The path prefixes the guard protects (the chat's REST prefix; `['/api']` by default). */
export const API_AUTH_PREFIXES = Symbol('API_AUTH_PREFIXES');

@Injectable()
export class ApiAuthGuard implements CanActivate {
  private readonly prefixes: string[];

  constructor(
    private readonly verifier: TokenVerifier,
    @Inject(API_AUTH_PREFIXES) prefixes: readonly string[],
  ) {
    this.prefixes = prefixes.map((prefix) => `/${prefix.replace(/^\/+|\/+$/g, '')}`);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<IncomingMessage & { path?: string }>();
    const path = request.path ?? request.url ?? '';
    if (!this.prefixes.some((prefix) => path === prefix || path.startsWith(`${prefix}/`))) return true;
    const token = bearerToken(request);
    if (token === undefined) throw new UnauthorizedException('Missing bearer token');
    try {
      request.principal = await this.verifier.verify(token);
    } catch (error) {
      if (error instanceof InvalidTokenError) {
        throw new UnauthorizedException(`Invalid bearer token: ${error.message}`);
      }
      throw error;
    }
    return true;
  }
}
