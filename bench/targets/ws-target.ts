import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { failTarget, serveTarget } from './target-control.js';

/**
 * The same three endpoints on a bare `ws` server, written the way the `ws` README does it:
 * one HTTP server, `noServer` WebSocket servers, upgrades routed by path.
 */
function echo(this: WebSocket, data: Buffer, isBinary: boolean): void {
  this.send(data, { binary: isBinary });
}

function envelopeOf(data: Buffer): { event?: unknown; data?: unknown } | undefined {
  try {
    return JSON.parse(data.toString()) as { event?: unknown; data?: unknown };
  } catch {
    return undefined;
  }
}

function nestEcho(this: WebSocket, data: Buffer): void {
  const message = envelopeOf(data);
  if (message?.event === 'echo') this.send(JSON.stringify({ event: 'echo', data: message.data }));
}

async function main(): Promise<void> {
  // permessage-deflate with ws's defaults, negotiated with clients that offer it (the +deflate cells).
  const echoServer = new WebSocketServer({ noServer: true, perMessageDeflate: true });
  const nestEchoServer = new WebSocketServer({ noServer: true, perMessageDeflate: true });
  const broadcastServer = new WebSocketServer({ noServer: true, perMessageDeflate: true });
  echoServer.on('connection', (ws) => ws.on('message', echo));
  nestEchoServer.on('connection', (ws) => ws.on('message', nestEcho));
  broadcastServer.on('connection', (ws) =>
    ws.on('message', (data: Buffer) => {
      const message = envelopeOf(data);
      if (message?.event !== 'broadcast') return;
      const text = JSON.stringify({ event: 'broadcast', data: message.data });
      for (const client of broadcastServer.clients) {
        if (client.readyState === WebSocket.OPEN) client.send(text);
      }
    }),
  );
  const servers = new Map([
    ['/echo', echoServer],
    ['/nest-echo', nestEchoServer],
    ['/broadcast', broadcastServer],
  ]);

  const http = createServer();
  http.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const server = servers.get(new URL(request.url ?? '/', 'http://localhost').pathname);
    if (server === undefined) return socket.destroy();
    server.handleUpgrade(request, socket, head, (ws) => server.emit('connection', ws, request));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  await serveTarget((http.address() as AddressInfo).port);
}

main().catch(failTarget);
