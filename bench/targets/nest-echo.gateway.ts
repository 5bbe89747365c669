import { MessageBody, SubscribeMessage, WebSocketGateway, type WsResponse } from '@nestjs/websockets';

/**
 * Echo through Nest's message pipeline: the adapter parses the `{event, data}` envelope,
 * dispatches to the handler and serialises its WsResponse, as in any Nest gateway.
 */
@WebSocketGateway({ path: '/nest-echo' })
export class NestEchoGateway {
  @SubscribeMessage('echo')
  echo(@MessageBody() data: unknown): WsResponse<unknown> {
    return { event: 'echo', data };
  }
}
