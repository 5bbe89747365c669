import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { WsAdapter } from '@nestjs/platform-ws';
import type { AddressInfo } from 'node:net';
import { Rfc6455Adapter } from '../../src/adapter/index.js';
import { BenchAppModule } from './bench-app.module.js';
import { failTarget, serveTarget } from './target-control.js';

/** WsAdapter with permessage-deflate on every gateway's `ws` server (its gateways' option). */
class DeflateWsAdapter extends WsAdapter {
  override create(port: number, options: Record<string, unknown> & { path?: string } = {}): unknown {
    return super.create(port, { ...options, perMessageDeflate: true });
  }
}

/**
 * The bench's Nest application on one adapter: `--adapter ours` (Rfc6455Adapter) or
 * `--adapter platform-ws` (WsAdapter). Both get their defaults, as a user would start them, but
 * for permessage-deflate, switched on (the service's default too): it is negotiated only with
 * clients that offer it, which the bench's do in the `+deflate` echo cells alone.
 */
async function main(): Promise<void> {
  const adapter = process.argv[process.argv.indexOf('--adapter') + 1];
  if (adapter !== 'ours' && adapter !== 'platform-ws') throw new Error(`unknown --adapter ${adapter}`);
  const app: INestApplication = await NestFactory.create(BenchAppModule, { logger: ['error', 'warn'] });
  app.useWebSocketAdapter(
    adapter === 'ours' ? new Rfc6455Adapter(app, { perMessageDeflate: true }) : new DeflateWsAdapter(app),
  );
  await app.listen(0, '127.0.0.1');
  await serveTarget((app.getHttpServer().address() as AddressInfo).port);
}

main().catch(failTarget);
