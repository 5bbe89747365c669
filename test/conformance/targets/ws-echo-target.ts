import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type PerMessageDeflateOptions } from 'ws';
import type { ConformanceTarget } from './target.js';

/**
 * Reference target: a bare `ws` echo server with our default limit, used to check the cases
 * against a known-conformant implementation (`CONFORMANCE_TARGET=ws`). Where `ws` and our
 * server differ the cases follow ours, so these fail on `ws` by design:
 * - 6.6.x (fail fast): `ws` validates UTF-8 only once a message is complete, so an invalid
 *   fragment followed by nothing is never rejected; ours validates each fragment as it arrives.
 * - 1.3.4: `ws` answers a 64-bit length with the high bit set with 1009; RFC 6455 5.2 makes
 *   that frame malformed, which is 1002.
 */
export async function startWsEchoTarget(
  perMessageDeflate: boolean | PerMessageDeflateOptions = false,
): Promise<ConformanceTarget> {
  const httpServer = createServer();
  const wss = new WebSocketServer({ server: httpServer, path: '/echo', maxPayload: 1024 * 1024, perMessageDeflate });
  wss.on('connection', (socket) => {
    socket.on('error', () => undefined);
    socket.on('message', (data, isBinary) => socket.send(data as Buffer, { binary: isBinary }));
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const { port } = httpServer.address() as AddressInfo;
  return {
    port,
    path: '/echo',
    stop: async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    },
  };
}
