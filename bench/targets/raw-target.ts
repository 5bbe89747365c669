import type { AddressInfo } from 'node:net';
import { createRawEchoServer } from './raw-echo-server.js';
import { failTarget, serveTarget } from './target-control.js';

/** The raw net echo target process (see raw-echo-server.ts). */
async function main(): Promise<void> {
  const server = createRawEchoServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  await serveTarget((server.address() as AddressInfo).port);
}

main().catch(failTarget);
