import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './app.factory.js';
import { InvalidConfigurationError, loadEnvironment } from './config/environment.js';

let environment;
try {
  environment = loadEnvironment();
} catch (error) {
  if (!(error instanceof InvalidConfigurationError)) throw error;
  console.error(error.message);
  process.exit(1);
}

const app = await createApp(process.env);
app.enableShutdownHooks();
await app.listen(environment.PORT, environment.HOST);
const shownHost = environment.HOST === '0.0.0.0' ? 'localhost' : environment.HOST;
new Logger('Bootstrap').log(
  `Chat gateway listening on http://${shownHost}:${environment.PORT}/ (bus: ${environment.BUS})`,
);
