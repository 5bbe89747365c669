import { type OnGatewayConnection, WebSocketGateway } from '@nestjs/websockets';

/** The ws-like client surface /echo needs (our WebSocketConnection, or a `ws` WebSocket). */
export interface EchoClient {
  on(event: 'message', listener: (this: EchoClient, data: Buffer, isBinary: boolean) => void): unknown;
  send(data: Buffer, options: { binary: boolean }): void;
}

const AS_TEXT = { binary: false };
const AS_BINARY = { binary: true };

/** Shared by every connection (the emitter is `this`): no closure per client. */
function echo(this: EchoClient, data: Buffer, isBinary: boolean): void {
  this.send(data, isBinary ? AS_BINARY : AS_TEXT);
}

/**
 * `/echo` sends every message back verbatim, text as text and binary as
 * binary, for conformance suites and benchmarks. It has no
 * `@SubscribeMessage` handlers, so the adapter does no JSON dispatch here.
 */
@WebSocketGateway({ path: '/echo' })
export class EchoGateway implements OnGatewayConnection {
  handleConnection(client: EchoClient): void {
    client.on('message', echo);
  }
}
