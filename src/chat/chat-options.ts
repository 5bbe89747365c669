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
  return {
    historySize: positive(options.historySize ?? 100, 'historySize', true),
    maxTextLength: positive(options.maxTextLength ?? 2000, 'maxTextLength', true),
    maxNameLength: positive(options.maxNameLength ?? 32, 'maxNameLength', true),
    maxRoomsPerConnection: positive(options.maxRoomsPerConnection ?? 50, 'maxRoomsPerConnection', true),
    memberListLimit: positive(options.memberListLimit ?? 200, 'memberListLimit', true),
    rateLimit,
    bus: options.bus,
  };
}

function positive(value: number, name: string, integer: boolean): number {
  if (!(value > 0) || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    throw new RangeError(`ChatModule option ${name} must be a positive ${integer ? 'integer' : 'number'}, got ${value}`);
  }
  return value;
}
