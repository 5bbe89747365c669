import { Catch, HttpStatus, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ChatBusUnavailableError } from './bus/bus-errors.js';
import { MAYBE_STORED } from './chat-error.js';

/**
 * REST requests that need the chat store while it is unreachable: 503, to be retried, with
 * `code` `unavailable` (nothing was done) or `maybe_stored` (a post may still be stored:
 * resend it with the same Idempotency-Key).
 */
@Catch(ChatBusUnavailableError)
export class BusUnavailableHttpFilter implements ExceptionFilter {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(error: ChatBusUnavailableError, host: ArgumentsHost): void {
    const { httpAdapter } = this.adapterHost;
    const response = host.switchToHttp().getResponse<unknown>();
    httpAdapter.setHeader(response, 'Retry-After', '1');
    httpAdapter.reply(
      response,
      {
        statusCode: HttpStatus.SERVICE_UNAVAILABLE,
        error: 'Service Unavailable',
        code: error.maybeDone ? 'maybe_stored' : 'unavailable',
        message: error.maybeDone ? MAYBE_STORED : 'the chat store is unavailable; try again shortly',
      },
      HttpStatus.SERVICE_UNAVAILABLE,
    );
  }
}
