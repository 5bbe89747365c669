import { EventEmitter } from 'node:events';
import type { ChatSocket } from './chat-socket.js';
import { gateMessages } from './message-gate.js';

class FakeSocket extends EventEmitter {
  readyState = 1;
  send(): void {}
  close(): void {}
}

describe('gateMessages', () => {
  it('holds back the frames the gate refuses from every message listener, earlier or later', () => {
    const socket = new FakeSocket();
    const seen: string[] = [];
    socket.on('message', (data: Buffer) => seen.push(`early ${data.toString()}`));
    const gated: string[] = [];
    gateMessages(socket, (gatedSocket, data) => {
      expect(gatedSocket).toBe(socket);
      gated.push(String(data));
      return String(data) !== 'refused';
    });
    socket.on('message', (data: Buffer, isBinary: boolean) => seen.push(`late ${data.toString()} ${isBinary}`));

    expect(socket.emit('message', Buffer.from('refused'), false)).toBe(false);
    expect(socket.emit('message', Buffer.from('taken'), false)).toBe(true);

    expect(gated).toEqual(['refused', 'taken']);
    expect(seen).toEqual(['early taken', 'late taken false']);
  });

  it('leaves every other event alone', () => {
    const socket = new FakeSocket();
    gateMessages(socket, () => false);
    const closes: unknown[][] = [];
    socket.on('close', (...args: unknown[]) => closes.push(args));
    socket.emit('close', 1000, 'bye');
    expect(closes).toEqual([[1000, 'bye']]);
  });

  it('refuses a socket whose emit it could not pass frames on through', () => {
    const socket = new FakeSocket();
    socket.emit = () => true;
    expect(() => gateMessages(socket as unknown as ChatSocket, () => true)).toThrow(TypeError);
  });
});
