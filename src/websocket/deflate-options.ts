/**
 * permessage-deflate (RFC 7692) settings of a server. The defaults keep no zlib context per
 * connection: both sides reset their compression context after every message, so the only
 * zlib memory is the handful of contexts busy at one moment (at most `concurrencyLimit`),
 * whatever the number of connections, and a broadcast is compressed once for every recipient.
 */
export interface PerMessageDeflateOptions {
  /**
   * Reset our compressor after every message (server_no_context_takeover). Default true.
   * false keeps one compressor per connection (about 2^(serverMaxWindowBits + 2) +
   * 2^(memLevel + 9) bytes: 256 KiB with the defaults) for a better ratio on small, similar
   * messages, and compresses every message of it, broadcasts included, on its own.
   */
  serverNoContextTakeover?: boolean;
  /**
   * Ask clients to reset their compressor after every message (client_no_context_takeover),
   * so that no decompressor has to be kept per connection. Default true. false keeps one per
   * connection that sends compressed messages (about 2^clientMaxWindowBits + 7 KiB).
   */
  clientNoContextTakeover?: boolean;
  /** Largest LZ77 window (base-2 log, 8-15) we compress with. Default 15. */
  serverMaxWindowBits?: number;
  /**
   * Largest window (8-15) we ask clients to compress with, when their offer lets us
   * (client_max_window_bits). Default 15. A client that cannot be limited is still accepted.
   */
  clientMaxWindowBits?: number;
  /**
   * Messages shorter than this many bytes go out uncompressed: below about a kilobyte the
   * saving does not pay for the zlib round trip. Ignored with server context takeover, where
   * the shared context makes small messages worth compressing. Default 1024.
   */
  threshold?: number;
  /** zlib compression level, -1 (zlib's default, 6) or 0-9. Default -1. */
  level?: number;
  /** zlib memLevel of the compressor, 1-9. Default 8. */
  memLevel?: number;
  /** zlib jobs (compress or decompress) of one server running at once; the rest wait. Default 8. */
  concurrencyLimit?: number;
}

export interface DeflateSettings {
  readonly serverNoContextTakeover: boolean;
  readonly clientNoContextTakeover: boolean;
  readonly serverMaxWindowBits: number;
  readonly clientMaxWindowBits: number;
  readonly threshold: number;
  readonly level: number;
  readonly memLevel: number;
  readonly concurrencyLimit: number;
}

export const DEFAULT_DEFLATE_SETTINGS: DeflateSettings = {
  serverNoContextTakeover: true,
  clientNoContextTakeover: true,
  serverMaxWindowBits: 15,
  clientMaxWindowBits: 15,
  threshold: 1024,
  level: -1,
  memLevel: 8,
  concurrencyLimit: 8,
};

function integerIn(name: string, value: number | undefined, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`perMessageDeflate.${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
  return value;
}

function flag(name: string, value: boolean | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean')
    throw new TypeError(`perMessageDeflate.${name} must be a boolean, got ${String(value)}`);
  return value;
}

/**
 * `false`/`undefined` disable the extension, `true` enables it with the defaults, an object
 * overrides some of them. Out-of-range values throw, naming the option.
 */
export function resolveDeflateOptions(
  value: boolean | PerMessageDeflateOptions | undefined,
): DeflateSettings | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === true) return DEFAULT_DEFLATE_SETTINGS;
  const d = DEFAULT_DEFLATE_SETTINGS;
  return {
    serverNoContextTakeover: flag('serverNoContextTakeover', value.serverNoContextTakeover, d.serverNoContextTakeover),
    clientNoContextTakeover: flag('clientNoContextTakeover', value.clientNoContextTakeover, d.clientNoContextTakeover),
    serverMaxWindowBits: integerIn('serverMaxWindowBits', value.serverMaxWindowBits, 8, 15, d.serverMaxWindowBits),
    clientMaxWindowBits: integerIn('clientMaxWindowBits', value.clientMaxWindowBits, 8, 15, d.clientMaxWindowBits),
    threshold: integerIn('threshold', value.threshold, 0, Number.MAX_SAFE_INTEGER, d.threshold),
    level: integerIn('level', value.level, -1, 9, d.level),
    memLevel: integerIn('memLevel', value.memLevel, 1, 9, d.memLevel),
    concurrencyLimit: integerIn('concurrencyLimit', value.concurrencyLimit, 1, 1024, d.concurrencyLimit),
  };
}
