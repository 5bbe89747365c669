import { PassThrough } from 'node:stream';
import { ClientErrorCounter, statusOfClientError } from './client-errors.js';

function errorWith(code: string): Error & { code: string } {
  return Object.assign(new Error(code), { code });
}

class FakeSocket extends PassThrough {
  written = '';
  override write(chunk: unknown): boolean {
    this.written += String(chunk);
    return true;
  }
}

describe('statusOfClientError', () => {
  it.each([
    ['HPE_HEADER_OVERFLOW', 431],
    ['ERR_HTTP_REQUEST_TIMEOUT', 408],
    ['HPE_CHUNK_EXTENSIONS_OVERFLOW', 413],
    ['HPE_INVALID_METHOD', 400],
  ])('maps %s to %i as Node does', (code, status) => {
    expect(statusOfClientError(errorWith(code))).toBe(status);
  });
});

describe('ClientErrorCounter', () => {
  it('answers like Node, closes the socket and counts by status', () => {
    const counter = new ClientErrorCounter();
    const socket = new FakeSocket();
    counter.listener(errorWith('HPE_HEADER_OVERFLOW'), socket);
    expect(socket.written).toBe('HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n');
    expect(socket.destroyed).toBe(true);
    counter.listener(errorWith('ERR_HTTP_REQUEST_TIMEOUT'), new FakeSocket());
    counter.listener(errorWith('ERR_HTTP_REQUEST_TIMEOUT'), new FakeSocket());
    expect([...counter.byStatus]).toEqual([
      [431, 1],
      [408, 2],
    ]);
  });

  it('neither answers nor counts a connection the peer reset', () => {
    const counter = new ClientErrorCounter();
    const socket = new FakeSocket();
    counter.listener(errorWith('ECONNRESET'), socket);
    expect(socket.written).toBe('');
    expect(socket.destroyed).toBe(true);
    expect(counter.byStatus.size).toBe(0);
  });
});
