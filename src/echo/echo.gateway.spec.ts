import { EventEmitter } from 'node:events';
import { EchoGateway } from './echo.gateway.js';

class RecordingClient extends EventEmitter {
  readonly sent: Array<{ data: Buffer; binary: boolean }> = [];
  send(data: Buffer, options: { binary: boolean }): void {
    this.sent.push({ data, binary: options.binary });
  }
}

describe('EchoGateway', () => {
  it('sends text back as text and binary back as binary, the same bytes', () => {
    const client = new RecordingClient();
    new EchoGateway().handleConnection(client);
    const text = Buffer.from('héllo');
    const binary = Buffer.from([0x00, 0xff, 0x10]);
    client.emit('message', text, false);
    client.emit('message', binary, true);
    expect(client.sent).toEqual([
      { data: text, binary: false },
      { data: binary, binary: true },
    ]);
    expect(client.sent[0].data).toBe(text);
  });

  it('answers each client on its own connection', () => {
    const gateway = new EchoGateway();
    const first = new RecordingClient();
    const second = new RecordingClient();
    gateway.handleConnection(first);
    gateway.handleConnection(second);
    second.emit('message', Buffer.from('b'), false);
    expect(first.sent).toEqual([]);
    expect(second.sent).toHaveLength(1);
  });
});
