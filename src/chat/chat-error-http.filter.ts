import { Catch, HttpStatus, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ChatError } from './chat-error.js';

/**
 * A chat refusal on REST: `rate_limited` (too many new rooms from this client) is 429, and
 * `too_many_rooms` (every room the chat keeps is in use) and `unavailable` (the instance is
 * shutting down) 503, all with Retry-After.
 */
@Catch(ChatError)
export class ChatErrorHttpFilter implements ExceptionFilter {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(error: ChatError, host: ArgumentsHost): void {
    const { httpAdapter } = this.adapterHost;
    const response = host.switchToHttp().getResponse<unknown>();
    const status =
      error.code === 'rate_limited'
        ? HttpStatus.TOO_MANY_REQUESTS
        : error.code === 'too_many_rooms' || error.code === 'unavailable'
          ? HttpStatus.SERVICE_UNAVAILABLE
          : HttpStatus.BAD_REQUEST;
    if (error.retryAfterSeconds !== undefined)
      httpAdapter.setHeader(response, 'Retry-After', String(error.retryAfterSeconds));
    httpAdapter.reply(response, { statusCode: status, code: error.code, message: error.message }, status);
  }
}
