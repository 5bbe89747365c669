import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from './app.factory.js';
import { InvalidConfigurationError, loadEnvironment } from './config/environment.js';
import { installGracefulShutdown } from './http/index.js';

let environment;
try {
  environment = loadEnvironment();
} catch (error) {
  if (!(error instanceof InvalidConfigurationError)) throw error;
  console.error(error.message);
  process.exit(1);
}

const app = await createApp(environment);
// SIGTERM/SIGINT: refuse new upgrades, 1001 to every client, wait for the closing
// handshakes, close HTTP, flush the bus, exit 0.
installGracefulShutdown(app);
await app.listen(environment.PORT, environment.HOST);
// PORT=0 picks a free port: show the one we got.
const { port } = (app.getHttpServer() as Server).address() as AddressInfo;
const shownHost = environment.HOST === '0.0.0.0' ? 'localhost' : environment.HOST;
new Logger('Bootstrap').log(`Chat gateway listening on http://${shownHost}:${port}/ (bus: ${environment.BUS})`);
