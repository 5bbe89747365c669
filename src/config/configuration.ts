import { type ConfigFactory, registerAs } from '@nestjs/config';
import type { Environment } from './environment.js';

export interface ChatConfig {
  historySize: number;
  maxRoomsPerConnection: number;
  /** Largest JSON chat frame in bytes; undefined: the chat's default. */
  maxFrameBytes: number | undefined;
  /** Frames per connection: a burst, then so many per second; false when PER_SECOND is 0. */
  rateLimit: { burst: number; perSecond: number } | false;
  /** REST writes per client: a burst, then so many per second; false when PER_SECOND is 0. */
  restRateLimit: { burst: number; perSecond: number } | false;
  /** False when CHAT_PRESENCE_INTERVAL_MS is 0. */
  presenceBatch: { intervalMs: number; burst: number } | false;
  maxRooms: number;
  roomMinIdleMs: number;
  roomTtlMs: number;
  idempotency: { windowMs: number; keysPerRoom: number };
  /** False when CHAT_ROOM_CREATE_PER_MINUTE is 0. */
  roomCreatePerMinute: number | false;
  bus: 'memory' | 'redis';
  redisUrl: string;
  redisPrefix: string;
  /** CHAT_TEXT_ESCAPE_HTML */
  textEscapeHtml: boolean;
  /** CHAT_JSON_PATHS, CHAT_TEXT_PATHS, CHAT_TORNADO_PATHS (comma lists), CHAT_REST_PREFIX, CHAT_PAGE_PATH. */
  paths: { json: string; text: string; tornado: string; rest: string; page: string };
  /** INSTANCE_ID; empty: none. */
  instance: string;
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
    presenceBatch:
      env.CHAT_PRESENCE_INTERVAL_MS > 0
        ? { intervalMs: env.CHAT_PRESENCE_INTERVAL_MS, burst: env.CHAT_PRESENCE_BURST }
        : false,
    maxRooms: env.CHAT_MAX_ROOMS,
    roomMinIdleMs: env.CHAT_ROOM_MIN_IDLE * 1000,
    roomTtlMs: env.CHAT_ROOM_TTL * 1000,
    idempotency: { windowMs: env.CHAT_IDEMPOTENCY_WINDOW * 1000, keysPerRoom: env.CHAT_IDEMPOTENCY_KEYS },
    roomCreatePerMinute: env.CHAT_ROOM_CREATE_PER_MINUTE > 0 ? env.CHAT_ROOM_CREATE_PER_MINUTE : false,
    bus: env.BUS,
    redisUrl: env.REDIS_URL,
    redisPrefix: env.REDIS_PREFIX,
    textEscapeHtml: env.CHAT_TEXT_ESCAPE_HTML,
    paths: {
      json: env.CHAT_JSON_PATHS,
      text: env.CHAT_TEXT_PATHS,
      tornado: env.CHAT_TORNADO_PATHS,
      rest: env.CHAT_REST_PREFIX,
      page: env.CHAT_PAGE_PATH,
    },
    instance: env.INSTANCE_ID,
  };
}

/**
 * Injection token of the chat's configuration namespace (`@Inject(CHAT_CONFIG)`). The HTTP
 * server, the adapter and the logger are built from the Environment itself before the
 * application's injector exists (app.factory.ts), so they have no namespace.
 */
export const CHAT_CONFIG = registerAs('chat', () => ({})).KEY;

/** The namespaces for `ConfigModule.forRoot({ load })`, built from one validated environment. */
export function configurationOf(env: Environment): ConfigFactory[] {
  return [registerAs('chat', () => chatConfigOf(env))];
}
