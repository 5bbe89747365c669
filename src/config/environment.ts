import 'reflect-metadata';
import { plainToInstance, Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsNumber,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  validateSync,
} from 'class-validator';
import { parsePathList, pathConflicts, type NamedPaths } from '../mount/mount-paths.js';
import { accessProblems } from './access-environment.js';

/** Letters, digits, `-._~` and `/` (mount-paths.ts); lists are comma-separated. */
const MOUNT_PATH = /^[A-Za-z0-9\-._~/]+$/;
const MOUNT_PATH_LIST = /^[A-Za-z0-9\-._~/, ]+$/;
const MOUNT_PATH_MESSAGE =
  '$property must be a path of letters, digits, "-._~" and "/" (WebSocket paths: a comma list)';

const toBoolean = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string') return value;
  const normalised = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(normalised)) return true;
  if (['false', '0', 'no', 'off'].includes(normalised)) return false;
  return value;
};

/**
 * Every environment variable the service reads (README, "Configuration").
 * This class is the only place that knows their names, types and defaults.
 */
export class Environment {
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @IsString()
  HOST = '0.0.0.0';

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(2 ** 31 - 1)
  WS_MAX_PAYLOAD = 1_048_576;

  @Transform(toBoolean)
  @IsBoolean()
  WS_PERMESSAGE_DEFLATE = true;

  @Type(() => Number)
  @IsInt()
  @Min(0)
  WS_HEARTBEAT_MS = 30_000;

  @Type(() => Number)
  @IsInt()
  @Min(0)
  WS_MAX_CONNECTIONS = 0;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  WS_HANDSHAKE_TIMEOUT_MS = 10_000;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  WS_CLOSE_TIMEOUT_MS = 5_000;

  /** Node's agent reuses a socket only up to a second before the announced whole seconds: at least 2 s. */
  @Type(() => Number)
  @IsInt()
  @Min(2000)
  HTTP_KEEP_ALIVE_TIMEOUT_MS = 65_000;

  @Type(() => Number)
  @IsInt()
  @Min(1024)
  @Max(1_048_576)
  WS_MAX_HEADER_BYTES = 16_384;

  @IsString()
  WS_ALLOWED_ORIGINS = '';

  @Type(() => Number)
  @IsInt()
  @Min(1024)
  WS_SEND_BUFFER_LIMIT = 4_194_304;

  /** Unset: on, except with NODE_ENV=production (an unlimited echo is a free CPU sink). */
  @Transform(toBoolean)
  @IsBoolean()
  ECHO_ENABLED = true;

  /** Read for one default only (ECHO_ENABLED); any value is accepted. */
  @IsString()
  NODE_ENV = '';

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100_000)
  CHAT_HISTORY_SIZE = 100;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10_000)
  CHAT_MAX_ROOMS_PER_CONNECTION = 50;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  CHAT_RATE_LIMIT_BURST = 20;

  /** 0 turns the per-connection rate limit off. */
  @Type(() => Number)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1_000_000)
  CHAT_RATE_LIMIT_PER_SECOND = 10;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  CHAT_REST_RATE_LIMIT_BURST = 20;

  /** 0 turns the per-client REST write limit off. */
  @Type(() => Number)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1_000_000)
  CHAT_REST_RATE_LIMIT_PER_SECOND = 10;

  /** A room's presence window (ms): past CHAT_PRESENCE_BURST notices in one, the rest are summed up; 0 turns it off. */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(60_000)
  CHAT_PRESENCE_INTERVAL_MS = 250;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  CHAT_PRESENCE_BURST = 10;

  /** Rooms whose history is kept (in memory or in Redis). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  CHAT_MAX_ROOMS = 1000;

  /** Seconds without a message (and no members) before a room's history may make way for a new room. */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(31_536_000)
  CHAT_ROOM_MIN_IDLE = 600;

  /** Seconds after its last message a room's Redis stream expires; 0 never. */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(31_536_000)
  CHAT_ROOM_TTL = 604_800;

  /** Seconds a message's idempotency key (`ref`, `Idempotency-Key`) is remembered. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(604_800)
  CHAT_IDEMPOTENCY_WINDOW = 600;

  /** Idempotency keys remembered per room (the newest ones). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  CHAT_IDEMPOTENCY_KEYS = 500;

  /** New rooms one client may create per minute (and at once); 0 turns the limit off. */
  @Type(() => Number)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1_000_000)
  CHAT_ROOM_CREATE_PER_MINUTE = 10;

  /** Largest JSON chat frame; unset: derived from the longest text (6 * 2000 + 2048 = 14048). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(256)
  @Max(2 ** 31 - 1)
  CHAT_MAX_FRAME_BYTES: number | undefined = undefined;

  @IsIn(['memory', 'redis'])
  BUS: 'memory' | 'redis' = 'memory';

  @Matches(/^rediss?:\/\/\S+$/, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL = 'redis://127.0.0.1:6379';

  /** Seed nodes of a Redis Cluster: with BUS=redis the bus runs on the cluster (REDIS_URL: credentials, TLS). */
  @Matches(
    /^\s*$|^\s*(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):\d{1,5}(\s*,\s*(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):\d{1,5})*\s*$/,
    {
      message: 'REDIS_CLUSTER_NODES must be a comma list of host:port',
    },
  )
  REDIS_CLUSTER_NODES = '';

  @Matches(/^[A-Za-z0-9:_.{}-]{1,64}$/, {
    message: 'REDIS_PREFIX must be 1 to 64 characters of letters, digits and :_.{}-',
  })
  REDIS_PREFIX = 'chat:';

  @IsOptional()
  @IsString()
  AUTH_JWT_SECRET = '';

  /** Remote key set of an OpenID Connect provider (RS256, ES256, ...). */
  @Matches(/^(https?:\/\/\S+)?$/, { message: 'AUTH_JWKS_URL must be an http:// or https:// URL' })
  AUTH_JWKS_URL = '';

  /** PEM text of an SPKI public key or an X.509 certificate; `\n` escapes allowed. */
  @IsOptional()
  @IsString()
  AUTH_PUBLIC_KEY = '';

  @IsOptional()
  @IsString()
  AUTH_PUBLIC_KEY_FILE = '';

  /** Comma list of accepted `iss` values. */
  @IsOptional()
  @IsString()
  AUTH_ISSUER = '';

  /** Comma list of accepted `aud` values. */
  @IsOptional()
  @IsString()
  AUTH_AUDIENCE = '';

  /** Comma list of accepted `alg` values; default HS256 with a secret, every public-key one else. */
  @IsOptional()
  @IsString()
  AUTH_ALGORITHMS = '';

  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(3600)
  AUTH_CLOCK_TOLERANCE_SEC = 30;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(60_000)
  AUTH_JWKS_TIMEOUT_MS = 5_000;

  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(86_400_000)
  AUTH_JWKS_COOLDOWN_MS = 30_000;

  @Type(() => Number)
  @IsInt()
  @Min(1_000)
  @Max(86_400_000)
  AUTH_JWKS_CACHE_MAX_AGE_MS = 600_000;

  /** Off, a hop count, or a comma list of proxy addresses/CIDRs (see access-environment.ts). */
  @IsOptional()
  @IsString()
  TRUST_PROXY = '';

  /** A name for this instance: `welcome.instance` on /chat and the X-Instance-Id response header. */
  @Matches(/^[A-Za-z0-9._-]{0,64}$/, {
    message: 'INSTANCE_ID must be at most 64 letters, digits and ._-',
  })
  INSTANCE_ID = '';

  @IsIn(['text', 'json'])
  LOG_FORMAT: 'text' | 'json' = 'text';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent' = 'info';

  // Paths: comma lists for WebSocket protocols (aliases); checked further in mountProblems.
  @Matches(MOUNT_PATH_LIST, { message: MOUNT_PATH_MESSAGE })
  CHAT_JSON_PATHS = '/chat';

  @Matches(MOUNT_PATH_LIST, { message: MOUNT_PATH_MESSAGE })
  CHAT_TEXT_PATHS = '/';

  @Matches(MOUNT_PATH_LIST, { message: MOUNT_PATH_MESSAGE })
  CHAT_TORNADO_PATHS = '/tornado';

  @Matches(MOUNT_PATH_LIST, { message: MOUNT_PATH_MESSAGE })
  ECHO_PATHS = '/echo';

  /** The plain-text protocol escapes `& < > " '` in names and text; false: raw, for terminals. */
  @Transform(toBoolean)
  @IsBoolean()
  CHAT_TEXT_ESCAPE_HTML = true;

  @Matches(MOUNT_PATH, { message: MOUNT_PATH_MESSAGE })
  CHAT_REST_PREFIX = '/api';

  @Matches(MOUNT_PATH, { message: MOUNT_PATH_MESSAGE })
  CHAT_PAGE_PATH = '/';
}

/** The WebSocket paths of the service, each protocol's named by its variable. */
export function websocketPathsOf(env: Environment): NamedPaths[] {
  return [
    { name: 'CHAT_JSON_PATHS', paths: parsePathList(env.CHAT_JSON_PATHS, 'CHAT_JSON_PATHS') },
    { name: 'CHAT_TEXT_PATHS', paths: parsePathList(env.CHAT_TEXT_PATHS, 'CHAT_TEXT_PATHS') },
    { name: 'CHAT_TORNADO_PATHS', paths: parsePathList(env.CHAT_TORNADO_PATHS, 'CHAT_TORNADO_PATHS') },
    ...(env.ECHO_ENABLED ? [{ name: 'ECHO_PATHS', paths: parsePathList(env.ECHO_PATHS, 'ECHO_PATHS') }] : []),
  ];
}

/** An environment map to read (`process.env`, a test's map), or one already validated. */
export type EnvironmentSource = Environment | Record<string, string | undefined>;

/** The validated environment: a map is parsed (once per start), an Environment handed on. */
export function environmentOf(source: EnvironmentSource = process.env): Environment {
  return source instanceof Environment ? source : loadEnvironment(source);
}

export class InvalidConfigurationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'InvalidConfigurationError';
  }
}

/** Parses and validates the environment; throws naming every bad variable. */
export function loadEnvironment(env: Record<string, string | undefined> = process.env): Environment {
  const known = Object.keys(new Environment());
  const present: Record<string, string> = {};
  for (const name of known) {
    const value = env[name];
    if (value !== undefined && value !== '') present[name] = value;
  }
  const parsed = plainToInstance(Environment, present);
  const errors = validateSync(parsed, { skipMissingProperties: false });
  if (errors.length > 0) {
    throw new InvalidConfigurationError(
      errors.map((error) => {
        const raw = JSON.stringify(env[error.property] ?? '');
        const reasons = Object.values(error.constraints ?? {}).join('; ');
        return `${error.property}=${raw}: ${reasons}`;
      }),
    );
  }
  // Before the paths are compared: an echo that is off holds no path.
  if (present.ECHO_ENABLED === undefined && parsed.NODE_ENV === 'production') parsed.ECHO_ENABLED = false;
  const conflicts = [...mountProblems(parsed), ...accessProblems(parsed)];
  if (conflicts.length > 0) throw new InvalidConfigurationError(conflicts);
  return parsed;
}

/** A path list with no path, or a path served by two protocols, as messages naming the variables. */
function mountProblems(env: Environment): string[] {
  try {
    return pathConflicts(websocketPathsOf(env));
  } catch (error) {
    return [(error as Error).message];
  }
}

export function parseOriginList(list: string): string[] {
  return list
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin.length > 0);
}
