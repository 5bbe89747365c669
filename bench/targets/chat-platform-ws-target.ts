import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { WsAdapter } from '@nestjs/platform-ws';
import type { AddressInfo } from 'node:net';
import { AppModule } from '../../src/app.module.js';
import { failTarget, serveTarget } from './target-control.js';

/**
 * The service's own modules (the chat gateway included) on `@nestjs/platform-ws`, from the
 * same environment the service target gets: the chat round trip's reference.
 */
async function main(): Promise<void> {
  const app = await NestFactory.create(AppModule.forEnvironment(process.env), { logger: ['error', 'warn'] });
  app.useWebSocketAdapter(new WsAdapter(app));
  await app.listen(0, '127.0.0.1');
  await serveTarget((app.getHttpServer().address() as AddressInfo).port);
}

main().catch(failTarget);
