import type { AddressInfo } from 'node:net';
import { createApp } from '../../src/app.factory.js';
import { failTarget, serveTarget } from './target-control.js';

/**
 * One instance of the real service, built by createApp from the environment exactly as
 * `npm start` builds it (the Redis broadcast scenario sets BUS, REDIS_URL and REDIS_PREFIX).
 */
async function main(): Promise<void> {
  const app = await createApp(process.env, { logger: ['error', 'warn'] });
  await app.listen(0, '127.0.0.1');
  await serveTarget((app.getHttpServer().address() as AddressInfo).port);
}

main().catch(failTarget);
