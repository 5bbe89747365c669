import type { IncomingMessage, ServerResponse } from 'node:http';
import { headerHasToken } from '../websocket/index.js';

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * A request Node handed over as plain HTTP although it tries to open a WebSocket: Node only
 * raises 'upgrade' when both `Connection: upgrade` and `Upgrade` are present, so a handshake
 * missing one of them (or a GET that only carries `Sec-WebSocket-*` headers) arrives here.
 */
export function isWebSocketAttempt(request: IncomingMessage): boolean {
  return (
    request.headers['sec-websocket-key'] !== undefined ||
    request.headers['sec-websocket-version'] !== undefined ||
    headerHasToken(header(request, 'upgrade'), 'websocket')
  );
}

/** Answers such a request like any other bad handshake: 400 and the reason, then close. */
export function refuseWebSocketAttempt(request: IncomingMessage, response: ServerResponse): void {
  const body = headerHasToken(header(request, 'upgrade'), 'websocket')
    ? 'Missing or invalid Connection header'
    : 'Missing or invalid Upgrade header';
  response.shouldKeepAlive = false;
  response.writeHead(400, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    Connection: 'close',
  });
  response.end(body);
}
