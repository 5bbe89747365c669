import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * Asks the kernel for a free TCP port on 127.0.0.1 and releases it, for
 * gateways whose port is fixed at class-definition time.
 */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe: Server = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** `ws://127.0.0.1:<port>` of a listening Node server. */
export function wsBaseUrl(server: { address(): AddressInfo | string | null }): string {
  const address = server.address();
  if (address === null || typeof address === 'string') {
    throw new Error(`server is not listening on TCP (address: ${String(address)})`);
  }
  return `ws://127.0.0.1:${address.port}`;
}
