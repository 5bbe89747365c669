import { type ConfigFactory, registerAs } from '@nestjs/config';
import { type Environment, parseOriginList } from './environment.js';

export interface ServerConfig {
  port: number;
  host: string;
  logFormat: 'text' | 'json';
}

export interface WebSocketConfig {
  maxPayload: number;
  permessageDeflate: boolean;
  heartbeatMs: number;
  maxConnections: number;
  handshakeTimeoutMs: number;
  maxHeaderBytes: number;
  allowedOrigins: string[];
  sendBufferLimit: number;
  echoEnabled: boolean;
}

export interface ChatConfig {
  historySize: number;
  maxRoomsPerConnection: number;
  /** Largest JSON chat frame in bytes; undefined: the chat's default. */
  maxFrameBytes: number | undefined;
  /** Frames per connection: a burst, then so many per second; false when PER_SECOND is 0. */
  rateLimit: { burst: number; perSecond: number } | false;
  bus: 'memory' | 'redis';
  redisUrl: string;
  redisPrefix: string;
  jwtSecret: string;
}

export function serverConfigOf(env: Environment): ServerConfig {
  return { port: env.PORT, host: env.HOST, logFormat: env.LOG_FORMAT };
}

export function websocketConfigOf(env: Environment): WebSocketConfig {
  return {
    maxPayload: env.WS_MAX_PAYLOAD,
    permessageDeflate: env.WS_PERMESSAGE_DEFLATE,
    heartbeatMs: env.WS_HEARTBEAT_MS,
    maxConnections: env.WS_MAX_CONNECTIONS,
    handshakeTimeoutMs: env.WS_HANDSHAKE_TIMEOUT_MS,
    maxHeaderBytes: env.WS_MAX_HEADER_BYTES,
    allowedOrigins: parseOriginList(env.WS_ALLOWED_ORIGINS),
    sendBufferLimit: env.WS_SEND_BUFFER_LIMIT,
    echoEnabled: env.ECHO_ENABLED,
  };
}

export function chatConfigOf(env: Environment): ChatConfig {
  return {
    historySize: env.CHAT_HISTORY_SIZE,
    maxRoomsPerConnection: env.CHAT_MAX_ROOMS_PER_CONNECTION,
    maxFrameBytes: env.CHAT_MAX_FRAME_BYTES,
    rateLimit:
      env.CHAT_RATE_LIMIT_PER_SECOND > 0
        ? { burst: env.CHAT_RATE_LIMIT_BURST, perSecond: env.CHAT_RATE_LIMIT_PER_SECOND }
        : false,
    bus: env.BUS,
    redisUrl: env.REDIS_URL,
    redisPrefix: env.REDIS_PREFIX,
    jwtSecret: env.AUTH_JWT_SECRET ?? '',
  };
}

/** Injection tokens of the typed configuration namespaces (`@Inject(CHAT_CONFIG)`). */
export const SERVER_CONFIG = registerAs('server', () => ({})).KEY;
export const WEBSOCKET_CONFIG = registerAs('websocket', () => ({})).KEY;
export const CHAT_CONFIG = registerAs('chat', () => ({})).KEY;

/** The namespaces for `ConfigModule.forRoot({ load })`, built from one validated environment. */
export function configurationOf(env: Environment): ConfigFactory[] {
  return [
    registerAs('server', () => serverConfigOf(env)),
    registerAs('websocket', () => websocketConfigOf(env)),
    registerAs('chat', () => chatConfigOf(env)),
  ];
}
