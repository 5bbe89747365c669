import type { FactoryProvider, ModuleMetadata } from '@nestjs/common';
import type { ChatBus } from './bus/chat-bus.js';

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

/** The parts of the module that exist or not: fixed when the module is defined. */
export interface ChatFeatures {
  /** The plain-text protocol on `ws /`. Default true. */
  textProtocol?: boolean;
  /** `GET/POST /api/rooms...`. Default true. */
  rest?: boolean;
  /** The browser page at `GET /` and its files under `/assets/`. Default true. */
  page?: boolean;
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
  /** Most names listed in `joined` and `presence` (`count` always has the total). Default 200. */
  memberListLimit?: number;
  /** Frames per client; beyond it the client gets `rate_limited`. false: no limit. */
  rateLimit?: RateLimit | false;
  /**
   * The bus: an instance (owned by the caller, never closed by the module), or a factory
   * called with the resolved options (the module closes what it creates). Default: an
   * in-memory bus keeping `historySize` messages per room.
   */
  bus?: ChatBus | ((options: ResolvedChatOptions) => ChatBus);
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
  bus: ChatRuntimeOptions['bus'];
}

export const DEFAULT_RATE_LIMIT: RateLimit = { burst: 20, perSecond: 10 };

export function resolveChatOptions(options: ChatRuntimeOptions = {}): ResolvedChatOptions {
  const given = options.rateLimit ?? DEFAULT_RATE_LIMIT;
  let rateLimit: ResolvedRateLimit | false = false;
  if (given !== false) {
    const burst = positive(given.burst, 'rateLimit.burst', true);
    rateLimit = {
      burst,
      perSecond: positive(given.perSecond, 'rateLimit.perSecond', false),
      closeAfter: positive(given.closeAfter ?? 2 * burst, 'rateLimit.closeAfter', true),
    };
  }
  const maxTextLength = positive(options.maxTextLength ?? 2000, 'maxTextLength', true);
  return {
    historySize: positive(options.historySize ?? 100, 'historySize', true),
    maxTextLength,
    maxNameLength: positive(options.maxNameLength ?? 32, 'maxNameLength', true),
    maxFrameBytes: positive(options.maxFrameBytes ?? defaultMaxFrameBytes(maxTextLength), 'maxFrameBytes', true),
    maxRoomsPerConnection: positive(options.maxRoomsPerConnection ?? 50, 'maxRoomsPerConnection', true),
    memberListLimit: positive(options.memberListLimit ?? 200, 'memberListLimit', true),
    rateLimit,
    bus: options.bus,
  };
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

function positive(value: number, name: string, integer: boolean): number {
  if (!(value > 0) || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    throw new RangeError(`ChatModule option ${name} must be a positive ${integer ? 'integer' : 'number'}, got ${value}`);
  }
  return value;
}
