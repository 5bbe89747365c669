import type { FactoryProvider, ModuleMetadata } from '@nestjs/common';
import { nonNegativeInteger, positiveInteger, positiveNumber } from '../common/number-checks.js';
import type { ChatBus } from './bus/chat-bus.js';
import {
  resolveIdempotencyWindow,
  type IdempotencyWindow,
  type ResolvedIdempotencyWindow,
} from './bus/idempotency-window.js';
import type { ChatPaths } from './chat-paths.js';
import type { PresenceBatchOptions } from './presence/presence-batcher.js';

export const CHAT_OPTIONS = Symbol('CHAT_OPTIONS');

export interface RateLimit {
  /** Frames a client may send at once. */
  burst: number;
  /** Frames per second on average. */
  perSecond: number;
  /**
   * Refused frames in a row (each answered with `rate_limited`) after which the connection is
   * closed with 1008; an accepted frame starts the count again. Default 2 * burst.
   */
  closeAfter?: number;
}

export type ResolvedRateLimit = Required<RateLimit>;

/** REST writes per client (address, or token principal): a burst, then so many per second. */
export interface RestRateLimit {
  /** Requests a client may make at once. */
  burst: number;
  /** Requests per second on average. */
  perSecond: number;
}

/**
 * A per-room decision of the host (`canJoin`, `canPost`): true allows, anything else refuses.
 * `principal` is what the adapter's `authorize` hook returned for the connection (REST:
 * `request.principal`), or an AnonymousPrincipal (room-access.ts) for anonymous clients;
 * typed `any` so a host can declare its own principal type in the hook's signature.
 */
export type RoomAccessHook = (principal: any, room: string) => boolean | Promise<boolean>;

/** The parts of the module that exist or not: fixed when the module is defined. */
export interface ChatFeatures {
  /** The plain-text protocol on `ws /`. Default true. */
  textProtocol?: boolean;
  /** The Tornado chat room protocol on `ws /tornado`. Default true. */
  tornadoProtocol?: boolean;
  /** `GET/POST /api/rooms...`. Default true. */
  rest?: boolean;
  /** The browser page at `GET /` and its files under `/assets/`. Default true. */
  page?: boolean;
  /** Where each part is served (chat-paths.ts). Default: `/chat`, `/`, `/tornado`, `/api`, `/`. */
  paths?: ChatPaths;
  /**
   * Metadata put on the chat's own controllers and gateways, for a host's global guard that
   * lets through what carries its `@Public()`-style marker (read with `Reflector`), e.g.
   * `{ key: IS_PUBLIC_KEY, value: true }`. Set on the classes, so it holds process-wide.
   */
  publicMetadata?: ChatClassMetadata | readonly ChatClassMetadata[];
}

/** One metadata entry, as `SetMetadata(key, value)` would set it. */
export interface ChatClassMetadata {
  key: string | symbol;
  value: unknown;
}

/** What can come from configuration at run time (`forRootAsync`'s factory returns it). */
export interface ChatRuntimeOptions {
  /** Messages kept per room (CHAT_HISTORY_SIZE). Default 100. */
  historySize?: number;
  /** Longest message text, in UTF-16 code units like a browser's `maxlength`. Default 2000. */
  maxTextLength?: number;
  /** Longest chat name. Default 32. */
  maxNameLength?: number;
  /**
   * Largest frame of the JSON protocol on `/chat`, in bytes (CHAT_MAX_FRAME_BYTES); a larger
   * one closes the connection with 1009. Applied per connection below the server's maxPayload.
   * Default: what the longest text needs even fully escaped, 6 * maxTextLength + 2048.
   */
  maxFrameBytes?: number;
  /** Rooms one connection may be in at once. Default 50. */
  maxRoomsPerConnection?: number;
  /**
   * A name for this instance (INSTANCE_ID), sent as `welcome.instance`: which of several
   * instances behind a proxy a client reached. Default: none, `welcome` has no `instance`.
   */
  instance?: string;
  /** Most names listed in `joined` and `presence` (`count` always has the total). Default 200. */
  memberListLimit?: number;
  /** Frames per client; beyond it the client gets `rate_limited`. false: no limit. */
  rateLimit?: RateLimit | false;
  /**
   * The plain-text protocol escapes `& < > " '` in names and text (CHAT_TEXT_ESCAPE_HTML), for
   * the original pages that write each line into `innerHTML`. false: raw text, for terminal
   * clients. Default true.
   */
  textEscapeHtml?: boolean;
  /**
   * Presence notices of a room: `burst` one by one per window of `intervalMs`, then one notice
   * summing up the rest of each window (CHAT_PRESENCE_INTERVAL_MS, CHAT_PRESENCE_BURST). false:
   * one notice per change. Default 250 ms, 10.
   */
  presenceBatch?: PresenceBatchOptions | false;
  /** Rooms whose history the bus keeps (CHAT_MAX_ROOMS). Default 1000. */
  maxRooms?: number;
  /**
   * A room's history may make way for a new room only after this long without a message (and
   * with no members). Default 600000 (10 minutes).
   */
  roomMinIdleMs?: number;
  /** Redis bus: a room's stream expires this long after its last message (CHAT_ROOM_TTL); 0 never. Default 7 days. */
  roomTtlMs?: number;
  /**
   * New rooms (no history, no members) one client may create per minute, at most that many at
   * once (CHAT_ROOM_CREATE_PER_MINUTE): a WebSocket connection, a REST client by principal or
   * address. false: no limit. Default 10.
   */
  roomCreatePerMinute?: number | false;
  /**
   * How long the bus remembers idempotency keys (`ref`, `Idempotency-Key`): per room, at least
   * the newest `keysPerRoom` (default 500), none older than `windowMs` (default 600000, 10 minutes).
   */
  idempotency?: IdempotencyWindow;
  /**
   * `POST /api/rooms/:room/messages` per client (429 with `Retry-After` beyond it). false: no
   * limit. Default 20 at once, 10 per second.
   */
  restRateLimit?: RestRateLimit | false;
  /**
   * The bus: an instance (owned by the caller, never closed by the module), or a factory
   * called with the resolved options (the module closes what it creates). Default: an
   * in-memory bus keeping `historySize` messages per room.
   */
  bus?: ChatBus | ((options: ResolvedChatOptions) => ChatBus);
  /**
   * May the principal enter the room and read its history? Asked on JSON `join` and `history`,
   * for the lobby of a plain-text client, and on REST `GET .../messages`. Default: yes.
   */
  canJoin?: RoomAccessHook;
  /** May the principal post in the room? Asked on every JSON `message`, plain-text line and REST post. */
  canPost?: RoomAccessHook;
}

export interface ChatModuleOptions extends ChatFeatures, ChatRuntimeOptions {}

export interface ChatModuleAsyncOptions extends ChatFeatures, Pick<ModuleMetadata, 'imports'> {
  /** Providers handed to `useFactory`, e.g. `[ConfigService]` or `[chatConfig.KEY]`. */
  inject?: FactoryProvider['inject'];
  useFactory: (...args: any[]) => ChatRuntimeOptions | Promise<ChatRuntimeOptions>;
}

export interface ResolvedChatOptions {
  historySize: number;
  maxTextLength: number;
  maxNameLength: number;
  maxFrameBytes: number;
  maxRoomsPerConnection: number;
  memberListLimit: number;
  rateLimit: ResolvedRateLimit | false;
  textEscapeHtml: boolean;
  presenceBatch: PresenceBatchOptions | false;
  restRateLimit: RestRateLimit | false;
  maxRooms: number;
  roomMinIdleMs: number;
  roomTtlMs: number;
  roomCreatePerMinute: number | false;
  idempotency: ResolvedIdempotencyWindow;
  bus: ChatRuntimeOptions['bus'];
  canJoin: RoomAccessHook | undefined;
  canPost: RoomAccessHook | undefined;
  instance: string | undefined;
}

export const DEFAULT_RATE_LIMIT: RateLimit = { burst: 20, perSecond: 10 };
export const DEFAULT_REST_RATE_LIMIT: RestRateLimit = { burst: 20, perSecond: 10 };
export const DEFAULT_PRESENCE_BATCH: PresenceBatchOptions = { intervalMs: 250, burst: 10 };

export function resolveChatOptions(options: ChatRuntimeOptions = {}): ResolvedChatOptions {
  const given = options.rateLimit ?? DEFAULT_RATE_LIMIT;
  let rateLimit: ResolvedRateLimit | false = false;
  if (given !== false) {
    const burst = positiveInteger(given.burst, option('rateLimit.burst'));
    rateLimit = {
      burst,
      perSecond: positiveNumber(given.perSecond, option('rateLimit.perSecond')),
      closeAfter: positiveInteger(given.closeAfter ?? 2 * burst, option('rateLimit.closeAfter')),
    };
  }
  const maxTextLength = positiveInteger(options.maxTextLength ?? 2000, option('maxTextLength'));
  return {
    historySize: positiveInteger(options.historySize ?? 100, option('historySize')),
    maxTextLength,
    maxNameLength: positiveInteger(options.maxNameLength ?? 32, option('maxNameLength')),
    maxFrameBytes: positiveInteger(
      options.maxFrameBytes ?? defaultMaxFrameBytes(maxTextLength),
      option('maxFrameBytes'),
    ),
    maxRoomsPerConnection: positiveInteger(options.maxRoomsPerConnection ?? 50, option('maxRoomsPerConnection')),
    memberListLimit: positiveInteger(options.memberListLimit ?? 200, option('memberListLimit')),
    rateLimit,
    textEscapeHtml: flag(options.textEscapeHtml ?? true, 'textEscapeHtml'),
    presenceBatch: resolvePresenceBatch(options.presenceBatch ?? DEFAULT_PRESENCE_BATCH),
    restRateLimit: resolveRestRateLimit(options.restRateLimit ?? DEFAULT_REST_RATE_LIMIT),
    maxRooms: positiveInteger(options.maxRooms ?? 1000, option('maxRooms')),
    roomMinIdleMs: nonNegativeInteger(options.roomMinIdleMs ?? 600_000, option('roomMinIdleMs')),
    roomTtlMs: nonNegativeInteger(options.roomTtlMs ?? 7 * 24 * 3600 * 1000, option('roomTtlMs')),
    roomCreatePerMinute:
      options.roomCreatePerMinute === false
        ? false
        : positiveNumber(options.roomCreatePerMinute ?? 10, option('roomCreatePerMinute')),
    idempotency: resolveIdempotencyWindow(options.idempotency),
    bus: options.bus,
    canJoin: hook(options.canJoin, 'canJoin'),
    canPost: hook(options.canPost, 'canPost'),
    instance: options.instance === '' ? undefined : options.instance,
  };
}

function resolveRestRateLimit(given: RestRateLimit | false): RestRateLimit | false {
  if (given === false) return false;
  return {
    burst: positiveInteger(given.burst, option('restRateLimit.burst')),
    perSecond: positiveNumber(given.perSecond, option('restRateLimit.perSecond')),
  };
}

function flag(value: boolean, name: string): boolean {
  if (typeof value !== 'boolean')
    throw new TypeError(`ChatModule option ${name} must be a boolean, got ${typeof value}`);
  return value;
}

function resolvePresenceBatch(given: PresenceBatchOptions | false): PresenceBatchOptions | false {
  if (given === false) return false;
  return {
    intervalMs: positiveInteger(given.intervalMs, option('presenceBatch.intervalMs')),
    burst: positiveInteger(given.burst, option('presenceBatch.burst')),
  };
}

function hook(value: RoomAccessHook | undefined, name: string): RoomAccessHook | undefined {
  if (value !== undefined && typeof value !== 'function') {
    throw new TypeError(`ChatModule option ${name} must be a function, got ${typeof value}`);
  }
  return value;
}

/**
 * A `message` frame with the longest text: JSON may escape every character as `\\uXXXX` (6
 * bytes), and 2 KiB hold the envelope, the room, a ref and some spacing.
 */
export function defaultMaxFrameBytes(maxTextLength: number): number {
  return 6 * maxTextLength + 2048;
}

/**
 * Largest frame of the plain-text protocol on `/`: a line of maxTextLength UTF-16 code units
 * is at most 3 bytes each in UTF-8; 1 KiB more so that a line a little too long is still
 * answered with a line saying so rather than a 1009 close.
 */
export function maxLineBytes(options: ResolvedChatOptions): number {
  return Math.min(options.maxFrameBytes, 3 * options.maxTextLength + 1024);
}

function option(name: string): string {
  return `ChatModule option ${name}`;
}
