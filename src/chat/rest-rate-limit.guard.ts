import {
  HttpException,
  HttpStatus,
  Inject,
  Injectable,
  SetMetadata,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { HttpAdapterHost, Reflector } from '@nestjs/core';
import type { IncomingMessage } from 'node:http';
import { clientAddress } from '../http/client-address.js';
import { CHAT_OPTIONS, type ResolvedChatOptions } from './chat-options.js';
import { addressKey, ClientRateLimiter } from './client-rate-limiter.js';

/** What the guard reads from a request (Express's `ip` follows its `trust proxy` setting). */
type RestRequest = IncomingMessage & { ip?: string; body?: unknown };

const REST_RATE_COST = Symbol('REST_RATE_COST');

/** What a request to the route costs in the REST rate limit, from its (parsed) body; default 1. */
export const RestRateCost = (costOf: (body: unknown) => number) => SetMetadata(REST_RATE_COST, costOf);

/**
 * The module's `restRateLimit` on a REST route (a request costs one token, or what the route's
 * RestRateCost says: a batch its message count): per token principal when the request was
 * authenticated, otherwise per client address; past it 429 with `Retry-After` in seconds.
 * Applied to the chat's own routes only, so an app embedding the module keeps its routes as
 * they are.
 */
@Injectable()
export class RestRateLimitGuard implements CanActivate {
  private readonly limiter: ClientRateLimiter | null;

  constructor(
    @Inject(CHAT_OPTIONS) options: ResolvedChatOptions,
    private readonly reflector: Reflector,
    private readonly adapterHost: HttpAdapterHost,
  ) {
    this.limiter = options.restRateLimit === false ? null : new ClientRateLimiter(options.restRateLimit);
  }

  canActivate(context: ExecutionContext): boolean {
    if (this.limiter === null) return true;
    const http = context.switchToHttp();
    const request = http.getRequest<RestRequest>();
    const costOf = this.reflector.get<((body: unknown) => number) | undefined>(REST_RATE_COST, context.getHandler());
    const waitMs = this.limiter.take(restClientKey(request), costOf === undefined ? 1 : costOf(request.body));
    if (waitMs === 0) return true;
    const seconds = Math.max(1, Math.ceil(waitMs / 1000));
    this.adapterHost.httpAdapter.setHeader(http.getResponse<unknown>(), 'Retry-After', String(seconds));
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
