import { createHash } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';

/**
 * The calibration server: the least a WebSocket server can do. It answers the opening
 * handshake and then writes every byte back as it came (the client's masked frames included,
 * which the load generator's reader accepts). Its rates are the ceiling of the load generator.
 */
const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const HEADER_END = Buffer.from('\r\n\r\n');
const KEY_HEADER = 'sec-websocket-key:';
const CLOSE_FIN = 0x88;

function acceptResponse(head: string): string | undefined {
  const lower = head.toLowerCase();
  const at = lower.indexOf(KEY_HEADER);
  if (at === -1) return undefined;
  const end = head.indexOf('\r\n', at);
  const key = head.slice(at + KEY_HEADER.length, end === -1 ? undefined : end).trim();
  const accept = createHash('sha1')
    .update(key + GUID)
    .digest('base64');
  return `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`;
}

function serve(socket: Socket): void {
  socket.setNoDelay(true);
  socket.on('error', () => socket.destroy());
  let pending: Buffer | undefined;
  socket.once('data', function handshake(chunk: Buffer) {
    const data = pending === undefined ? chunk : Buffer.concat([pending, chunk]);
    const end = data.indexOf(HEADER_END);
    if (end === -1) {
      pending = data;
      socket.once('data', handshake);
      return;
    }
    const response = acceptResponse(data.toString('latin1', 0, end));
    if (response === undefined) return void socket.destroy();
    socket.write(response);
    let first = true;
    const echoBytes = (bytes: Buffer): void => {
      // The one thing it understands: a close frame as the very first frame ends the
      // connection (the handshake scenario); echo traffic never starts with one.
      if (first && bytes[0] === CLOSE_FIN) return void socket.end();
      first = false;
      socket.write(bytes);
    };
    socket.on('data', echoBytes);
    const rest = data.subarray(end + HEADER_END.length);
    if (rest.length > 0) echoBytes(rest);
  });
}

export function createRawEchoServer(): Server {
  return createServer(serve);
}
