import 'reflect-metadata';
import type { INestApplication, NestApplicationOptions } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Rfc6455Adapter } from './adapter/index.js';
import { TokenVerifier, upgradeAuthorizer } from './auth/index.js';
import { AppModule } from './app.module.js';
import { loadEnvironment, parseOriginList } from './config/environment.js';

/**
 * Builds the service exactly as `npm start` runs it, from an environment map; end-to-end
 * tests use it with their own map so they exercise the real wiring.
 */
export async function createApp(
  env: Record<string, string | undefined> = process.env,
  options: NestApplicationOptions = {},
): Promise<INestApplication> {
  const config = loadEnvironment(env);
  const app = await NestFactory.create(AppModule.forEnvironment(env), options);
  app.useWebSocketAdapter(
    new Rfc6455Adapter(app, {
      maxPayload: config.WS_MAX_PAYLOAD,
      maxConnections: config.WS_MAX_CONNECTIONS,
      allowedOrigins: parseOriginList(config.WS_ALLOWED_ORIGINS),
      sendBufferLimit: config.WS_SEND_BUFFER_LIMIT,
      ...(config.AUTH_JWT_SECRET
        ? { authorize: upgradeAuthorizer(new TokenVerifier(config.AUTH_JWT_SECRET)) }
        : {}),
    }),
  );
  const httpServer = app.getHttpServer();
  // Slowloris guard: an upgrade request whose headers are not complete in time is dropped.
  httpServer.headersTimeout = config.WS_HANDSHAKE_TIMEOUT_MS;
  httpServer.requestTimeout = Math.max(config.WS_HANDSHAKE_TIMEOUT_MS, 30_000);
  return app;
}
