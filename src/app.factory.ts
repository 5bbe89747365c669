import 'reflect-metadata';
import type { INestApplication, LoggerService, NestApplicationOptions } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import helmet from 'helmet';
import { Rfc6455Adapter } from './adapter/index.js';
import { TokenVerifier, upgradeAuthorizer } from './auth/index.js';
import { AppModule } from './app.module.js';
import { SECURITY_HEADERS } from './chat/page/security-headers.js';
import { hasTokenKey, parseTrustProxy } from './config/access-environment.js';
import { type Environment, environmentOf, type EnvironmentSource, parseOriginList } from './config/environment.js';
import { clientAddressResolver, LimitedExpressAdapter } from './http/index.js';
import { ConnectionLog, createAppLogger, logLevelOf } from './logging/index.js';
import { statsOfAdapter, WebSocketMetrics } from './metrics/index.js';

/**
 * The service's logger (pino, LOG_FORMAT and LOG_LEVEL); a list of levels given instead of
 * LOG_LEVEL picks the level, and false or a logger of the caller's is kept.
 */
function loggerFor(config: Environment, given: NestApplicationOptions['logger']): LoggerService | false {
  if (given === false) return false;
  if (given === undefined) return createAppLogger(config.LOG_FORMAT, config.LOG_LEVEL);
  if (Array.isArray(given)) return createAppLogger(config.LOG_FORMAT, logLevelOf(given));
  return given;
}

/** Names the instance that answered, on every HTTP response (several instances behind a proxy). */
function instanceHeader(instance: string) {
  return (_request: unknown, response: { setHeader(name: string, value: string): unknown }, next: () => void) => {
    response.setHeader('X-Instance-Id', instance);
    next();
  };
}

/**
 * Builds the service exactly as `npm start` runs it, from an environment map (or the
 * Environment main.ts already validated); end-to-end tests use it with their own map so they
 * exercise the real wiring.
 */
export async function createApp(
  env: EnvironmentSource = process.env,
  options: NestApplicationOptions = {},
): Promise<INestApplication> {
  const config = environmentOf(env);
  // The HTTP server is created with the header size limit and the slowloris timeout.
  const httpAdapter = new LimitedExpressAdapter({
    maxHeaderBytes: config.WS_MAX_HEADER_BYTES,
    handshakeTimeoutMs: config.WS_HANDSHAKE_TIMEOUT_MS,
    keepAliveTimeoutMs: config.HTTP_KEEP_ALIVE_TIMEOUT_MS,
  });
  const trustProxy = parseTrustProxy(config.TRUST_PROXY);
  // REST sees the same client address (`request.ip`) as the WebSocket side.
  httpAdapter.set('trust proxy', trustProxy);
  const app = await NestFactory.create(AppModule.forEnvironment(config), httpAdapter, {
    ...options,
    logger: loggerFor(config, options.logger),
  });
  // The page's headers on every response (API, health, metrics, errors) of the service.
  app.use(helmet(SECURITY_HEADERS));
  if (config.INSTANCE_ID !== '') app.use(instanceHeader(config.INSTANCE_ID));
  const adapter = new Rfc6455Adapter(app, {
    maxPayload: config.WS_MAX_PAYLOAD,
    maxConnections: config.WS_MAX_CONNECTIONS,
    // Also enforced by the HTTP server created above; here for gateways on ports of their own.
    maxHeaderBytes: config.WS_MAX_HEADER_BYTES,
    handshakeTimeoutMs: config.WS_HANDSHAKE_TIMEOUT_MS,
    closeTimeoutMs: config.WS_CLOSE_TIMEOUT_MS,
    allowedOrigins: parseOriginList(config.WS_ALLOWED_ORIGINS),
    sendBufferLimit: config.WS_SEND_BUFFER_LIMIT,
    heartbeatMs: config.WS_HEARTBEAT_MS,
    perMessageDeflate: config.WS_PERMESSAGE_DEFLATE,
    connectionLog: new ConnectionLog(),
    resolveClientAddress: clientAddressResolver(trustProxy),
    // The AuthModule's verifier: REST and upgrades share one key cache.
    ...(hasTokenKey(config) ? { authorize: upgradeAuthorizer(app.get(TokenVerifier)) } : {}),
  });
  app.useWebSocketAdapter(adapter);
  const metrics = app.get(WebSocketMetrics);
  metrics.observe(statsOfAdapter(adapter));
  metrics.observeHttpRefusals(httpAdapter.clientErrors.byStatus);
  return app;
}
