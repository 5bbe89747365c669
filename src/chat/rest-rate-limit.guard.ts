import { HttpException, HttpStatus, Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { clientAddress } from '../http/client-address.js';
import { CHAT_OPTIONS, type ResolvedChatOptions } from './chat-options.js';
import { addressKey, ClientRateLimiter } from './client-rate-limiter.js';

/** What the guard reads from a request (Express's `ip` follows its `trust proxy` setting). */
type RestRequest = IncomingMessage & { ip?: string };

/**
 * The module's `restRateLimit` on a REST route: per token principal when the request was
 * authenticated, otherwise per client address; past it 429 with `Retry-After` in seconds.
 * Applied to the chat's own routes only, so an app embedding the module keeps its routes as
 * they are.
 */
@Injectable()
export class RestRateLimitGuard implements CanActivate {
  private readonly limiter: ClientRateLimiter | null;

  constructor(@Inject(CHAT_OPTIONS) options: ResolvedChatOptions) {
    this.limiter = options.restRateLimit === false ? null : new ClientRateLimiter(options.restRateLimit);
  }

  canActivate(context: ExecutionContext): boolean {
    if (this.limiter === null) return true;
    const http = context.switchToHttp();
    const waitMs = this.limiter.take(restClientKey(http.getRequest<RestRequest>()));
    if (waitMs === 0) return true;
    const seconds = Math.max(1, Math.ceil(waitMs / 1000));
    http.getResponse<ServerResponse>().setHeader('Retry-After', String(seconds));
    throw new HttpException('too many requests; slow down', HttpStatus.TOO_MANY_REQUESTS);
  }
}

/** Who a REST request counts as for per-client limits: its token principal, else its address. */
export function restClientKey(request: RestRequest): string {
  const { principal } = request;
  if (principal !== undefined) return `principal:${principal.subject ?? principal.name}`;
  // The same address as names and logs use (Express's request.ip behind TRUST_PROXY).
  return `address:${addressKey(clientAddress(request).address ?? '')}`;
}
