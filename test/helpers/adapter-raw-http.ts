import { connect, type Socket } from 'node:net';
import { DEFAULT_WAIT_MS, withTimeout } from './adapter-client.js';

/** The example of RFC 6455 section 1.3: this key must be answered with SAMPLE_ACCEPT. */
export const SAMPLE_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
export const SAMPLE_ACCEPT = 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=';

export interface UpgradeRequest {
  path?: string;
  method?: string;
  httpVersion?: string;
  /** Replaces the default headers of the same name; `undefined` leaves a default header out. */
  headers?: Record<string, string | undefined>;
}

export interface RawResponse {
  status: number;
  statusLine: string;
  /** Header names lower-cased. */
  headers: Record<string, string>;
  socket: Socket;
}

/** A valid RFC 6455 opening handshake, with the given changes, as raw text. */
export function upgradeRequestText({
  path = '/echo',
  method = 'GET',
  httpVersion = '1.1',
  headers = {},
}: UpgradeRequest = {}): string {
  const merged: Record<string, string | undefined> = {
    Host: '127.0.0.1',
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Key': SAMPLE_KEY,
    'Sec-WebSocket-Version': '13',
    ...headers,
  };
  let text = `${method} ${path} HTTP/${httpVersion}\r\n`;
  for (const [name, value] of Object.entries(merged)) {
    if (value !== undefined) text += `${name}: ${value}\r\n`;
  }
  return `${text}\r\n`;
}

/**
 * Writes `requestText` on a fresh TCP connection and resolves with the parsed
 * status line and headers. The socket stays open for the caller to inspect;
 * the caller destroys it.
 */
export function sendRaw(port: number, requestText: string, ms = DEFAULT_WAIT_MS): Promise<RawResponse> {
  const socket = connect(port, '127.0.0.1');
  const response = new Promise<RawResponse>((resolve, reject) => {
    let received = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf('\r\n\r\n');
      if (end === -1) return;
      socket.off('data', onData);
      const [statusLine, ...lines] = received.subarray(0, end).toString('latin1').split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({ status: Number(statusLine.split(' ')[1]), statusLine, headers, socket });
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.once('close', () => reject(new Error(`connection closed before a response: ${received}`)));
    socket.write(requestText);
  });
  return withTimeout(response, ms, `response to ${requestText.split('\r\n')[0]}`).catch((error) => {
    socket.destroy();
    throw error;
  });
}

/** Resolves once the server has closed the connection (the rejection did not leave it hanging). */
export function closedByServer(socket: Socket, ms = DEFAULT_WAIT_MS): Promise<void> {
  if (socket.destroyed || socket.readableEnded) return Promise.resolve();
  const closed = new Promise<void>((resolve) => {
    socket.once('end', resolve);
    socket.once('close', resolve);
    socket.resume();
  });
  return withTimeout(closed, ms, 'the server to close a rejected connection').finally(() => socket.destroy());
}
