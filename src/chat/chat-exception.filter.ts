import { Catch, HttpException, Logger, type ArgumentsHost, type WsExceptionFilter } from '@nestjs/common';
import { WsException } from '@nestjs/websockets';
import { ChatBusUnavailableError } from './bus/bus-errors.js';
import { ChatError, MAYBE_STORED, refOf, type ChatErrorPayload } from './chat-error.js';
import { sendEvent, type ChatSocket } from './chat-socket.js';
import { PayloadTooDeepError } from './dto/payload-depth.js';

/**
 * Turns whatever a chat handler throws into an `error` event {code, message, ref?} for the
 * client that sent the request; the connection stays open.
 */
@Catch()
export class ChatExceptionFilter implements WsExceptionFilter {
  private readonly logger = new Logger('ChatGateway');

  catch(exception: unknown, host: ArgumentsHost): void {
    // The FrameScreen answered this frame already (one answer per frame).
    if (exception instanceof PayloadTooDeepError) return;
    const ws = host.switchToWs();
    const payload = this.toPayload(exception);
    const ref = refOf(ws.getData());
    if (ref !== undefined) payload.ref = ref;
    sendEvent(ws.getClient<ChatSocket>(), 'error', payload);
  }

  private toPayload(exception: unknown): ChatErrorPayload {
    if (exception instanceof ChatError) return { code: exception.code, message: exception.message };
    if (exception instanceof ChatBusUnavailableError) {
      // Redis is down: Redis' own client logs the outage once, not once per request.
      return exception.maybeDone
        ? { code: 'maybe_stored', message: MAYBE_STORED }
        : { code: 'unavailable', message: 'the chat is temporarily unavailable; try again shortly' };
    }
    // From the host application's global pipes or guards, which apply to gateways too.
    if (exception instanceof WsException) return { code: 'invalid_payload', message: String(exception.message) };
    if (exception instanceof HttpException && exception.getStatus() < 500) {
      return { code: 'invalid_payload', message: exception.message };
    }
    this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    return { code: 'internal_error', message: 'Internal server error' };
  }
}
