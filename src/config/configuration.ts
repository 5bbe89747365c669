import { type ConfigFactory, registerAs } from '@nestjs/config';
import type { TrustProxy } from '../http/client-address.js';
import { parseTrustProxy } from './access-environment.js';
import { type Environment, parseOriginList } from './environment.js';

export interface ServerConfig {
  port: number;
  host: string;
  logFormat: 'text' | 'json';
  /** TRUST_PROXY: whose X-Forwarded-For gives the client address. */
  trustProxy: TrustProxy;
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
  /** ECHO_PATHS, a comma list. */
  echoPaths: string;
}

export interface ChatConfig {
  historySize: number;
  maxRoomsPerConnection: number;
  /** Largest JSON chat frame in bytes; undefined: the chat's default. */
  maxFrameBytes: number | undefined;
  /** Frames per connection: a burst, then so many per second; false when PER_SECOND is 0. */
  rateLimit: { burst: number; perSecond: number } | false;
  /** REST writes per client: a burst, then so many per second; false when PER_SECOND is 0. */
  restRateLimit: { burst: number; perSecond: number } | false;
  maxRooms: number;
  roomMinIdleMs: number;
  roomTtlMs: number;
  /** False when CHAT_ROOM_CREATE_PER_MINUTE is 0. */
  roomCreatePerMinute: number | false;
  bus: 'memory' | 'redis';
  redisUrl: string;
  redisPrefix: string;
  jwtSecret: string;
  /** CHAT_JSON_PATHS, CHAT_TEXT_PATHS (comma lists), CHAT_REST_PREFIX, CHAT_PAGE_PATH. */
  paths: { json: string; text: string; rest: string; page: string };
}

export function serverConfigOf(env: Environment): ServerConfig {
  return { port: env.PORT, host: env.HOST, logFormat: env.LOG_FORMAT, trustProxy: parseTrustProxy(env.TRUST_PROXY) };
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
    echoPaths: env.ECHO_PATHS,
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
    restRateLimit:
      env.CHAT_REST_RATE_LIMIT_PER_SECOND > 0
        ? { burst: env.CHAT_REST_RATE_LIMIT_BURST, perSecond: env.CHAT_REST_RATE_LIMIT_PER_SECOND }
        : false,
    maxRooms: env.CHAT_MAX_ROOMS,
    roomMinIdleMs: env.CHAT_ROOM_MIN_IDLE * 1000,
    roomTtlMs: env.CHAT_ROOM_TTL * 1000,
    roomCreatePerMinute: env.CHAT_ROOM_CREATE_PER_MINUTE > 0 ? env.CHAT_ROOM_CREATE_PER_MINUTE : false,
    bus: env.BUS,
    redisUrl: env.REDIS_URL,
    redisPrefix: env.REDIS_PREFIX,
    jwtSecret: env.AUTH_JWT_SECRET ?? '',
    paths: { json: env.CHAT_JSON_PATHS, text: env.CHAT_TEXT_PATHS, rest: env.CHAT_REST_PREFIX, page: env.CHAT_PAGE_PATH },
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
