import { MessageBody, SubscribeMessage, WebSocketGateway, WebSocketServer } from '@nestjs/websockets';
import { prepareFrame, type PreparedFrame } from '../../src/websocket/index.js';

const OPEN = 1;

/** What both adapters hand a gateway: our WebSocketConnection or a `ws` WebSocket. */
interface BroadcastClient {
  readonly readyState: number;
  send(data: string): void;
  sendFrame?(frame: PreparedFrame): void;
}

interface BroadcastServer {
  readonly clients: Set<BroadcastClient>;
}

/**
 * Fans every `broadcast` message out to every connected client as
 * `{event: 'broadcast', data}`. The JSON is built once; on our adapter it is also framed once
 * (prepareFrame + sendFrame, as the chat fan-out does), on platform-ws each client's send()
 * frames it, as a platform-ws user would write it.
 */
@WebSocketGateway({ path: '/broadcast' })
export class BroadcastGateway {
  @WebSocketServer() server!: BroadcastServer;

  @SubscribeMessage('broadcast')
  broadcast(@MessageBody() data: unknown): void {
    const text = JSON.stringify({ event: 'broadcast', data });
    let frame: PreparedFrame | undefined;
    for (const client of this.server.clients) {
      if (client.readyState !== OPEN) continue;
      if (client.sendFrame !== undefined) client.sendFrame((frame ??= prepareFrame(text)));
      else client.send(text);
    }
  }
}
