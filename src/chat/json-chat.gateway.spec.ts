import 'reflect-metadata';
import { SubscribeMessage } from '@nestjs/websockets';
import type { IncomingMessage } from 'node:http';
import { EventEmitter } from 'node:events';
import { gatewayAt } from '../mount/mounted-classes.js';
import { JsonChatGateway } from './json-chat.gateway.js';

class ChatWithPing extends JsonChatGateway {
  @SubscribeMessage('ping')
  ping(): string {
    return 'pong';
  }
}

class RecordingSocket extends EventEmitter {
  readyState = 1;
  readonly sent: Array<{ event: string; data: { code?: string } }> = [];
  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }
  close(): void {}
}

/** The gateway `type` with one connection: what it answers, and what reaches a later listener (the adapter's). */
function connect(
  type: typeof JsonChatGateway,
  options: { instance?: string } = {},
): { socket: RecordingSocket; dispatched: string[] } {
  const connection = { id: 'c1', name: 'guest', senderId: 's1' };
  const chat = { connect: () => connection, admit: () => true };
  const registry = { find: () => connection };
  const gateway = new type(chat as never, registry as never, {} as never, { maxFrameBytes: 1024, ...options } as never);
  const socket = new RecordingSocket();
  gateway.handleConnection(socket, { socket: { remoteAddress: '127.0.0.1' } } as IncomingMessage);
  const dispatched: string[] = [];
  socket.on('message', (data: Buffer) => dispatched.push(data.toString()));
  return { socket, dispatched };
}

describe('JsonChatGateway frame screen', () => {
  it('hands a handler added by a subclass (mounted at another path too) to the adapter, with no list to update', () => {
    for (const type of [ChatWithPing, gatewayAt(ChatWithPing, '/pinging')]) {
      const { socket, dispatched } = connect(type);
      socket.emit('message', Buffer.from('{"event":"ping","data":{}}'), false);
      socket.emit('message', Buffer.from('{"data":{},"event":"ping"}'), false);
      expect(dispatched).toEqual(['{"event":"ping","data":{}}', '{"data":{},"event":"ping"}']);
      expect(socket.sent.map((frame) => frame.event)).toEqual(['welcome']);
    }
  });

  it('answers an event no handler takes, and only there', () => {
    const { socket, dispatched } = connect(JsonChatGateway);
    socket.emit('message', Buffer.from('{"event":"ping","data":{}}'), false);
    expect(dispatched).toEqual([]);
    expect(socket.sent[1]).toMatchObject({ event: 'error', data: { code: 'unknown_event' } });
  });
});

describe('JsonChatGateway welcome', () => {
  it('names the connection, and the instance only when one is configured', () => {
    expect(connect(JsonChatGateway).socket.sent[0]).toEqual({
      event: 'welcome',
      data: { id: 'c1', name: 'guest', fromId: 's1' },
    });
    expect(connect(JsonChatGateway, { instance: 'gateway-2' }).socket.sent[0]).toEqual({
      event: 'welcome',
      data: { id: 'c1', name: 'guest', fromId: 's1', instance: 'gateway-2' },
    });
  });
});
